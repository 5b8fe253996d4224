"""The request journal on PostgreSQL: the ``journal`` table of the shared database, and the cross-host
form of SQLite's ``<db>.requests.pending/`` markers.

A process holding unwritten entries holds a *shared* advisory lock (``PENDING_LOCK``) on its own
connection, taken when its buffer stops being empty and released once the buffer is written. A reader
asks for the same lock *exclusively*: PostgreSQL grants it only when no host holds unwritten entries,
so a request answered by host A is in the table before host B answers ``/_mock/requests``. A host
that dies releases its lock with its connection (its buffered entries are lost with it, as on SQLite).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from typing import Any

import psycopg

from .postgres import PgStore

log = logging.getLogger("sms_rent_mock")
PENDING_LOCK = 0x5_3D5_7E48


def journal_store(url: str) -> PgStore:
    """The shared database, for the journal: its batches take no write lock (``serialise=False``)."""
    return PgStore(url, serialise=False, max_size=8)


class Pending:
    """This process's "I hold unwritten entries" mark, seen by every host of the database."""

    def __init__(self, store: PgStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._conn: psycopg.Connection[Any] | None = None
        self._pid = -1

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._pid != os.getpid() or self._conn.closed:
            self._conn, self._pid = psycopg.connect(self.store.url, autocommit=True), os.getpid()
        return self._conn

    def mark(self) -> None:
        with self._lock:
            try:
                self._connection().execute("SELECT pg_advisory_lock_shared(%s)", (PENDING_LOCK,))
            except psycopg.Error as exc:
                raise sqlite3.OperationalError(str(exc)) from exc

    def unmark(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid() and not self._conn.closed:
                self._conn.execute("SELECT pg_advisory_unlock_all()")

    def wait_for_others(self, limit: float) -> None:
        """Wait (at most ``limit`` seconds) until no host holds unwritten entries."""
        try:
            with self.store.write() as db:
                db.execute(f"SET LOCAL lock_timeout = '{int(limit * 1000)}ms'")
                db.execute("SELECT pg_advisory_xact_lock(?)", (PENDING_LOCK,))
        except sqlite3.OperationalError:
            log.warning("journal: other hosts did not write their entries within %.1f s", limit)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None
