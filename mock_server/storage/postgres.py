"""PostgreSQL storage: one database that every host (and each host's workers) shares, for a team's mock.

The same guarantees as ``sqlite.Store``, across hosts:

- **Writes** (``write``/``unit_of_work``): one READ COMMITTED transaction whose first statement takes
  the database's write lock, ``pg_advisory_xact_lock(WRITE_LOCK)``, held until it commits or rolls back.
  Writers are serialised per database exactly as SQLite's ``BEGIN IMMEDIATE`` serialises them per file,
  and each statement after the lock sees every earlier commit, so the preconditions a change re-checks
  (stock left, balance enough) still hold when it commits. (SERIALIZABLE would need every unit of work
  to be retried on a serialisation failure; a provider call renders its reply inside its transaction,
  so one lock is simpler and never aborts.) A nested ``write`` is a savepoint.
- **Reads** (``read``/``reading``): ``REPEATABLE READ READ ONLY``: one snapshot, no lock taken.
- ``current()``: the thread's connection as it is (autocommit outside a transaction).

Connections come from a ``psycopg_pool`` pool; each thread keeps the one it took (a ``Tx`` reached via
``current()`` outlives any ``with``), and gives it back when the store is closed.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import psycopg_pool

from .memo import Memo
from .pg_adapter import Connection
from .savepoints import nested
from .schema import PG_SCHEMA, PG_TABLES, PG_TRIGGERS, migrate
from .sqlite import StoreError, Tx

WRITE_LOCK = 0x5_3D5_7E47     # advisory lock key: the database's one writer at a time
LOCK_TIMEOUT = "30s"
OTHER_DB = "start PostgreSQL there (README: Shared mock for a team), or choose another --db"


def redacted(url: str) -> str:
    """The URL without its password (it is shown in messages and logs)."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


class PgStore:
    """A PostgreSQL database with a connection per thread (from a pool) and the transaction helpers.

    ``serialise=False`` is for the request journal: its batches take no write lock, so they never
    queue behind (or hold up) a rental's transaction.
    """

    in_memory = False

    def __init__(self, url: str, *, serialise: bool = True, max_size: int = 64) -> None:
        self.url, self.path, self.serialise = url, redacted(url), serialise
        self.uid = uuid.uuid4().hex
        # as SQLite's 30 s busy timeout: a writer stuck behind a host that stopped (not died) fails, never hangs
        self._begin = f"BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'" + (
            f"; SELECT pg_advisory_xact_lock({WRITE_LOCK})" if serialise else "")
        self._local = threading.local()
        self._taken: list[psycopg.Connection[Any]] = []
        self._taken_lock = threading.Lock()
        self._pid = os.getpid()
        self._pool = psycopg_pool.ConnectionPool(url, min_size=1, max_size=max_size, open=False, timeout=30,
                                                 kwargs={"autocommit": True}, name="sms-rent-mock")
        try:
            psycopg.connect(url, connect_timeout=10).close()  # the server's own reason, at once (the pool retries)
            self._pool.open(wait=True, timeout=10)
            self._create()
        except (psycopg.Error, psycopg_pool.PoolTimeout) as exc:
            self._pool.close()
            raise StoreError(self.path, f"cannot be used as a store ({_first_line(exc)})", OTHER_DB) from None
        except Exception:
            self.close()
            raise

    def _create(self) -> None:
        """Tables, triggers and migrations, once, under the write lock (hosts may start together)."""
        with self._pool.connection() as raw, raw.transaction():
            raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            db = Connection(raw)
            if not _complete(db):
                db.executescript(PG_SCHEMA)
            migrate(db, ("rentals", "journal"))

    @property
    def db(self) -> Connection:
        """This thread's connection (autocommit outside a transaction); a broken one is replaced."""
        db: Connection | None = getattr(self._local, "db", None)
        if db is not None and not db.raw.closed and not db.raw.broken:
            return db
        raw = self._pool.getconn()
        with self._taken_lock:
            self._taken.append(raw)
        db = self._local.db = Connection(raw)
        self._local.depth, self._local.memo = 0, Memo()
        return db

    def _drop(self) -> None:
        """Forget this thread's connection after the server went away mid-transaction."""
        db: Connection | None = getattr(self._local, "db", None)
        self._local.db, self._local.depth = None, 0
        if db is not None:
            with self._taken_lock:
                if db.raw in self._taken:
                    self._taken.remove(db.raw)
            self._pool.putconn(db.raw)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction under the write lock; nested: a savepoint (see the module docstring)."""
        db = self.db
        depth = self._local.depth
        if depth:
            with nested(db, self._local, depth):
                yield db
            return
        memo = self._local.memo
        try:
            db.executescript(self._begin)  # one round trip: BEGIN and, for the store, the write lock
        except BaseException:
            self._end(db, "ROLLBACK")
            raise
        memo.forget()
        self._local.depth = 1
        try:
            yield db
        except BaseException:
            self._local.depth = 0
            memo.forget()
            self._end(db, "ROLLBACK")
            raise
        self._local.depth = 0
        memo.forget()
        try:
            db.execute("COMMIT")
        except BaseException:
            self._end(db, "ROLLBACK")
            raise

    def _end(self, db: Connection, statement: str) -> None:
        try:
            if db.in_transaction:
                db.execute(statement)
        except Exception:  # the connection is gone: the next use takes a new one
            self._drop()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One snapshot (REPEATABLE READ READ ONLY); inside another transaction of this thread it joins it."""
        db = self.db
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        self._local.memo.forget()
        try:
            yield db
        finally:
            self._local.memo.forget()
            self._end(db, "COMMIT")

    @contextmanager
    def unit_of_work(self) -> Iterator[Tx]:
        with self.write() as db:
            yield Tx(db, self._local.memo)  # type: ignore[arg-type]

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        with self.read() as db:
            yield Tx(db, self._local.memo)  # type: ignore[arg-type]

    def current(self) -> Tx:
        db = self.db
        return Tx(db, self._local.memo)  # type: ignore[arg-type]

    @property
    def in_transaction(self) -> bool:
        return self.db.in_transaction

    def close(self) -> None:
        """Give back every connection and close the pool (in a forked child: only forget the parent's)."""
        if os.getpid() != self._pid:
            return
        with self._taken_lock:
            taken, self._taken = self._taken, []
        for raw in taken:
            self._pool.putconn(raw)
        self._local = threading.local()
        self._pool.close()


def _complete(db: Connection) -> bool:
    """Whether this schema already has every table and id trigger (re-running the DDL costs ~0.15 s)."""
    row = db.execute("SELECT (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                     "AND table_name = ANY(?)), (SELECT COUNT(*) FROM information_schema.triggers "
                     "WHERE trigger_schema = current_schema() AND trigger_name = ANY(?))",
                     (list(PG_TABLES), [f"{t}_next_id" for t in PG_TRIGGERS])).fetchone()
    return row is not None and (row[0], row[1]) == (len(PG_TABLES), len(PG_TRIGGERS))


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
