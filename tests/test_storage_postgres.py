"""The PostgreSQL backend: nested writes are savepoints, reads are read-only snapshots, writers are
serialised by the advisory lock across connections, a server that is not there is named with the way out."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest

from sms_rent_mock.mock_server.storage import StoreError, open_store
from sms_rent_mock.mock_server.storage.postgres import PgStore, redacted

from .backends import Database


@pytest.fixture
def store(pg_database: Database) -> Iterator[PgStore]:
    found = open_store(pg_database.fresh_url())
    assert isinstance(found, PgStore)
    yield found
    found.close()


def test_a_nested_write_is_a_savepoint_of_the_outer_one(store: PgStore) -> None:
    with store.unit_of_work() as tx:
        tx.meta.put("a", "1")
        with pytest.raises(RuntimeError):
            with store.unit_of_work() as inner:
                inner.meta.put("b", "2")
                raise RuntimeError("inner fails")
        tx.meta.put("c", "3")
    with pytest.raises(RuntimeError):
        with store.unit_of_work() as tx:
            with store.unit_of_work() as inner:
                inner.meta.put("d", "4")
            raise RuntimeError("outer fails after the inner one ended")
    found = store.current().meta
    assert (found.get("a"), found.get("b"), found.get("c"), found.get("d")) == ("1", None, "3", None)
    assert not store.in_transaction


def test_a_reading_is_one_read_only_snapshot(store: PgStore) -> None:
    with store.reading() as tx:
        assert tx.meta.get("k") is None
        other = PgStore(store.url)  # another host commits meanwhile
        try:
            with other.unit_of_work() as elsewhere:
                elsewhere.meta.put("k", "1")
        finally:
            other.close()
        assert tx.meta.get("k") is None  # still the snapshot it began with
        with pytest.raises(sqlite3.DatabaseError, match="read-only"):
            tx.meta.put("x", "1")
    assert store.current().meta.get("k") == "1" and not store.in_transaction


def test_writers_on_different_connections_wait_for_each_other(store: PgStore) -> None:
    order: list[str] = []
    entered = threading.Event()

    def second() -> None:
        entered.wait(10)
        with store.unit_of_work() as tx:  # this thread's own connection: blocks on the advisory lock
            order.append("second")
            tx.meta.put("who", "second")

    thread = threading.Thread(target=second)
    thread.start()
    with store.unit_of_work() as tx:
        entered.set()
        time.sleep(0.3)
        order.append("first")
        tx.meta.put("who", "first")
    thread.join(timeout=15)
    assert order == ["first", "second"] and store.current().meta.get("who") == "second"


def test_a_server_that_is_not_there_is_named_with_the_way_out() -> None:
    with pytest.raises(StoreError, match=r"postgresql://u:\*\*\*@127.0.0.1:1/x: cannot be used as a store "
                                         r"\(.*Connection refused\); start PostgreSQL there"):
        open_store("postgresql://u:secret@127.0.0.1:1/x")


def test_a_password_never_shows() -> None:
    assert redacted("postgresql://me:pw@h:5/db") == "postgresql://me:***@h:5/db"
    assert redacted("postgresql://me@h/db") == "postgresql://me@h/db"


def test_an_older_database_gains_the_columns_added_since(store: PgStore) -> None:
    store.db.execute("ALTER TABLE rentals DROP COLUMN last_online")
    again = PgStore(store.url)  # another host starting on it migrates it
    try:
        assert "last_online" in again.current().snapshot.columns("rentals")
    finally:
        again.close()


def test_serve_on_an_unreachable_database_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from sms_rent_mock.mock_server.cli import main

    monkeypatch.setattr(os, "environ", dict(os.environ))  # serve exports MOCK_*: keep them out of later tests
    monkeypatch.setattr("sms_rent_mock.mock_server.cli.run_server", lambda *a, **k: pytest.fail("serve went on"))
    monkeypatch.setenv("MOCK_DB", "postgresql://me:pw@127.0.0.1:1/mock")  # MOCK_DB is --db
    result = CliRunner().invoke(main, ["serve"])
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("Error: --db postgresql://me:***@127.0.0.1:1/mock: cannot be used as a store (")
    assert "Connection refused" in lines[0] and "pw" not in lines[0]


def test_a_writer_behind_a_stopped_host_fails_instead_of_hanging(pg_database: Database,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from sms_rent_mock.mock_server.storage import postgres

    monkeypatch.setattr(postgres, "LOCK_TIMEOUT", "200ms")  # 30 s in service, like SQLite's busy timeout
    url = pg_database.fresh_url()
    stopped, waiting = PgStore(url), PgStore(url)
    try:
        with stopped.unit_of_work():  # holds the write lock, as a host frozen mid-transaction would
            with pytest.raises(sqlite3.OperationalError, match="lock timeout"):
                with waiting.unit_of_work():
                    pass
        with waiting.unit_of_work() as tx:  # its connection is usable again afterwards
            tx.meta.put("after", "1")
    finally:
        stopped.close()
        waiting.close()
