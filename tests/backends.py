"""Both storage backends for one suite: a module that says ``pytestmark = pytest.mark.usefixtures("backend")``
runs each of its tests on SQLite and on PostgreSQL (``conftest.pytest_generate_tests``).

On PostgreSQL every store a test opens (``db_url()``, which ``make_app`` and ``fresh_tx`` use) is a schema
of its own in one database per xdist worker, in a throwaway cluster started once per worker
(``tests/pg_cluster.py``; about 1.3 s). Creating a schema's tables costs ~0.15 s, so schemas are reused:
when a test ends its schemas are emptied (``DELETE``, a few ms) and handed to the next test.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from .pg_cluster import Cluster

BACKENDS = ("sqlite", "postgres")


class Database:
    """One database of the worker's cluster; ``fresh_url()`` is a URL whose tables live in a new schema."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.url = cluster.create_db("mock")
        self.admin = psycopg.connect(self.url, autocommit=True)
        self._names = itertools.count(1)
        self._free: list[str] = []   # emptied schemas, ready for the next store
        self._used: list[str] = []   # schemas handed out during this test
        self.opened: list[Any] = []  # stores and journals to close when the test ends

    def fresh_url(self) -> str:
        if self._free:
            schema = self._free.pop()
        else:
            schema = f"t{next(self._names)}"
            self.admin.execute(f"CREATE SCHEMA {schema}")
        self._used.append(schema)
        return f"{self.url}?options=-csearch_path%3D{schema}"

    def end_test(self) -> None:
        """Close what the test opened, empty its schemas and make them free again."""
        while self.opened:
            self.opened.pop().close()
        for schema in self._used:
            tables = [r[0] for r in self.admin.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,))]
            wipe = [f"DELETE FROM {schema}.{t}" for t in tables]
            if "journal" in tables:  # its ids come from a sequence: a fresh store's start at 1
                wipe.append(f"SELECT setval(pg_get_serial_sequence('{schema}.journal', 'id'), 1, false)")
            if wipe:
                self.admin.execute("; ".join(wipe).encode())
        self._free += self._used
        self._used = []


_current: Database | None = None


def db_url() -> str:
    """The store a test opens: ``:memory:`` on SQLite, a fresh schema's URL on PostgreSQL."""
    return ":memory:" if _current is None else _current.fresh_url()


def opened(thing: Any) -> Any:
    """Close ``thing`` (a store, a journal) when the test ends, on PostgreSQL (its connections are finite)."""
    if _current is not None:
        _current.opened.append(thing)
    return thing


@pytest.fixture(scope="session")
def pg_database() -> Iterator[Database]:
    """The worker's throwaway cluster and its database (fails, never skips, without PostgreSQL)."""
    cluster = Cluster().start()
    try:
        database = Database(cluster)
        yield database
        database.admin.close()
    finally:
        cluster.stop()


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """``sqlite`` or ``postgres``: which store ``db_url()`` hands out during this test."""
    global _current
    name = getattr(request, "param", "sqlite")
    database: Database | None = request.getfixturevalue("pg_database") if name == "postgres" else None
    _current = database
    try:
        yield name
    finally:
        _current = None
        if database is not None:
            database.end_test()
