"""SQLite storage: one file (or shared in-memory database) that every worker process agrees on.

Every state change runs inside ``Store.write()``, a ``BEGIN IMMEDIATE`` transaction: SQLite then
serialises writers across threads and processes, so the preconditions a change re-checks inside the
transaction (stock left, balance enough) still hold when it commits. A read runs inside ``Store.read()``,
a deferred transaction: one consistent snapshot (WAL readers never wait for a writer) and no write lock.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import tempfile
import threading
import urllib.parse
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    apikey TEXT PRIMARY KEY,
    balance INTEGER NOT NULL DEFAULT 0,       -- cache of SUM(ledger.amount), kept in the same transaction
    max_concurrent INTEGER,                   -- NULL: the server-wide default
    blocked INTEGER NOT NULL DEFAULT 0,
    restriction TEXT,                         -- api_disabled | ip_denied | identification_required
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger (
    id INTEGER PRIMARY KEY,
    apikey TEXT NOT NULL,
    amount INTEGER NOT NULL,                  -- money units (1/10000), negative for charges
    kind TEXT NOT NULL,                       -- deposit | charge | refund | adjust
    rental_id INTEGER,
    memo TEXT NOT NULL DEFAULT '',
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_by_account ON ledger(apikey);
CREATE INDEX IF NOT EXISTS ledger_by_rental ON ledger(rental_id);
CREATE TABLE IF NOT EXISTS stock (
    provider TEXT NOT NULL, country TEXT NOT NULL, service TEXT NOT NULL,
    period INTEGER NOT NULL, operator TEXT NOT NULL, count INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (provider, country, service, period, operator)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rentals (
    id INTEGER PRIMARY KEY,
    apikey TEXT NOT NULL,
    provider TEXT NOT NULL,
    country TEXT NOT NULL,                    -- ISO letters
    dial TEXT NOT NULL,                       -- E.164 calling code
    phone TEXT NOT NULL,                      -- national number
    services TEXT NOT NULL DEFAULT '',        -- comma-separated service codes
    operator TEXT NOT NULL DEFAULT '',
    period INTEGER NOT NULL DEFAULT 0,        -- the stock period it was taken from
    days INTEGER NOT NULL,                    -- total days bought so far
    auto_renew INTEGER NOT NULL DEFAULT 0,
    needs_activation INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    guard_until INTEGER,                      -- closes and refunds itself if no SMS arrived by then
    online_from INTEGER,
    online_until INTEGER,
    reload_at INTEGER,
    frozen INTEGER NOT NULL DEFAULT 0,
    gone INTEGER NOT NULL DEFAULT 0,
    last_read_sms INTEGER NOT NULL DEFAULT 0,
    closed_at INTEGER,
    close_reason TEXT,
    due_at INTEGER,                           -- next time a derived event must be settled
    last_online INTEGER                       -- SMSPVA: end of the online window before the current one
);
CREATE UNIQUE INDEX IF NOT EXISTS rentals_open_number ON rentals(dial, phone) WHERE closed_at IS NULL;
CREATE INDEX IF NOT EXISTS rentals_by_owner ON rentals(apikey, provider, closed_at);
CREATE INDEX IF NOT EXISTS rentals_due ON rentals(due_at) WHERE closed_at IS NULL;
CREATE INDEX IF NOT EXISTS rentals_by_number ON rentals(dial, phone);
CREATE TABLE IF NOT EXISTS sms (
    id INTEGER PRIMARY KEY,
    rental_id INTEGER NOT NULL,
    sender TEXT NOT NULL,
    service TEXT NOT NULL,
    text TEXT NOT NULL,
    code TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sms_by_rental ON sms(rental_id, at);
CREATE TABLE IF NOT EXISTS retired_numbers (dial TEXT NOT NULL, phone TEXT NOT NULL, PRIMARY KEY (dial, phone));
CREATE TABLE IF NOT EXISTS throttle (
    apikey TEXT NOT NULL, op TEXT NOT NULL, fingerprint TEXT NOT NULL, at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS throttle_by_key ON throttle(apikey, op, at);
CREATE TABLE IF NOT EXISTS fault_rules (     -- control API: shared by every worker (mock_server/faults.py)
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    method TEXT NOT NULL,                     -- '*' matches every method
    match TEXT NOT NULL DEFAULT '{}',         -- JSON {param: value}
    remaining INTEGER,                        -- uses left; NULL: every time
    probability REAL,                         -- NULL: always
    action TEXT NOT NULL,                     -- JSON {"error" | "delay_ms" | "http_status" | "body" | "drop": ...}
    hits INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (         -- request journal (in its own file, <db>.requests; journal.py)
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    method TEXT NOT NULL,
    params TEXT NOT NULL,                     -- JSON, apikey redacted
    outcome TEXT NOT NULL,
    http_status INTEGER NOT NULL,
    fault INTEGER,
    duration_ms REAL NOT NULL,
    at INTEGER NOT NULL,
    logged REAL                               -- wall-clock time of the request: orders entries across workers
);
"""

FIRST_RENTAL_ID = 100_000
OTHER_DB = "choose another --db"


class StoreError(Exception):
    """The store file cannot be used: ``str()`` is one line naming the path, the problem and the way out."""

    def __init__(self, path: str, problem: str, remedy: str) -> None:
        super().__init__(f"{path}: {problem}; {remedy}")
        self.path, self.problem, self.remedy = path, problem, remedy


def check_path(path: str) -> None:
    """Refuse, before SQLite sees it, a path that cannot hold a store: a directory, a missing directory,
    a file (or directory) that cannot be written. (Mode bits are read too: root may write anything.)"""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise StoreError(path, "is a directory", f"give a file name inside it, or {OTHER_DB}")
    if not os.path.isdir(folder):
        raise StoreError(path, f"its directory {folder} does not exist", f"create it, or {OTHER_DB}")
    if os.path.exists(path):
        mode = os.stat(path).st_mode
        if not os.access(path, os.R_OK | os.W_OK) or not mode & stat.S_IWUSR:
            raise StoreError(path, "is read-only", f"make it writable (chmod u+rw), or {OTHER_DB}")
    elif not os.access(folder, os.W_OK) or not os.stat(folder).st_mode & stat.S_IWUSR:
        raise StoreError(path, f"its directory {folder} is not writable", f"make it writable, or {OTHER_DB}")


class Store:
    """A SQLite database with one connection per thread and a transaction helper.

    ``path`` is a file name or ``":memory:"``. A ``:memory:`` store is throwaway: a private temporary
    file, removed when the store is closed or collected. (SQLite's shared-cache in-memory mode would
    let threads share it, but its table locks fail at once instead of waiting, so concurrent requests
    got errors; a temporary file keeps WAL and the busy timeout.)
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.uid = uuid.uuid4().hex  # tells two stores apart in process-wide caches
        self.in_memory = path == ":memory:"
        if self.in_memory:
            folder = tempfile.mkdtemp(prefix="sms-rent-mock-")
            self._cleanup = weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
            path = os.path.join(folder, "store.sqlite3")
        else:
            check_path(path)
        self._uri = "file:" + urllib.parse.quote(path)
        self._local = threading.local()
        # Writers of one process queue here; SQLite's busy handler (which sleeps with back-off) then
        # only arbitrates between processes, which keeps write latency flat under load.
        self._write_lock = threading.Lock()
        try:
            self._keepalive = self._connect()
            self._keepalive.executescript(SCHEMA)
            self._migrate(self._keepalive)
        except sqlite3.DatabaseError as exc:
            raise StoreError(self.path, _unusable(exc), f"move it away (a new store is then created), or {OTHER_DB}") \
                from None

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        """Columns added since a file store was created (CREATE TABLE IF NOT EXISTS leaves old tables as they are)."""
        if "last_online" not in {row[1] for row in db.execute("PRAGMA table_info(rentals)")}:
            db.execute("ALTER TABLE rentals ADD COLUMN last_online INTEGER")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._uri, uri=True, isolation_level=None, check_same_thread=False, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout = 30000")
        db.execute("PRAGMA journal_mode = WAL")
        # NORMAL: a commit survives the process being killed (the WAL is in the OS cache); a throwaway
        # store need not survive anything.
        db.execute("PRAGMA synchronous = OFF" if self.in_memory else "PRAGMA synchronous = NORMAL")
        return db

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (autocommit outside ``write()``)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: commits on success, rolls back on any exception.

        A ``write()`` inside another one on the same thread is a savepoint of it: it rolls back alone
        on an exception, but nothing is committed before the outermost one ends. A provider wraps a
        whole call (domain work and its rendered reply) this way, so no charge commits without its answer.
        """
        db = self.db
        depth = getattr(self._local, "depth", 0)
        if depth:
            name = f"nested_{depth}"
            db.execute(f"SAVEPOINT {name}")
            self._local.depth = depth + 1
            try:
                yield db
            except BaseException:
                db.execute(f"ROLLBACK TO {name}")
                db.execute(f"RELEASE {name}")
                raise
            finally:
                self._local.depth = depth
            db.execute(f"RELEASE {name}")
            return
        with self._write_lock:
            db.execute("BEGIN IMMEDIATE")
            self._local.depth = 1
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            finally:
                self._local.depth = 0
            try:
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction (``BEGIN`` deferred): every query in it sees the same committed state.
        Inside another transaction of this thread it simply joins that one."""
        db = self.db
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN")
        try:
            yield db
        finally:
            if db.in_transaction:
                db.execute("COMMIT")  # nothing was written: only ends the snapshot

    def version(self) -> tuple[int, int]:
        """Changes whenever anything was committed, by any connection (this thread's included)."""
        db = self.db
        return db.execute("PRAGMA data_version").fetchone()[0], db.total_changes

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def close(self) -> None:
        if not hasattr(self, "_keepalive"):
            return
        self._keepalive.close()
        if self.in_memory:
            self._cleanup()


def _unusable(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return "is not an SQLite database, or is damaged"
    if "readonly" in text:
        return "is read-only"
    return f"cannot be opened as a store ({text})"
