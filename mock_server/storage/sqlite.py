"""SQLite storage: one file (or throwaway temporary file) that every worker process agrees on.

Every state change runs inside ``Store.write()``, a ``BEGIN IMMEDIATE`` transaction taken behind the
store's ``WriteLock`` (a thread lock, then ``flock`` of ``<db>.lock``): one writer at a time across threads
and processes, handed over at once, so the preconditions a change re-checks inside the transaction
(stock left, balance enough) still hold when it commits. A read runs inside ``Store.read()``,
a deferred transaction: one consistent snapshot (WAL readers never wait for a writer) and no write lock.
``unit_of_work()`` / ``reading()`` wrap the same transactions in a ``Tx`` that carries the repositories.
"""

from __future__ import annotations

import logging
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
from functools import cached_property

from .accounts import Accounts
from .checkpoints import Checkpointer
from .faults import FaultRules
from .inbox import Inbox
from .journal import JournalRows
from .memo import Memo
from .meta import Meta
from .rentals import Rentals
from .savepoints import nested
from .schema import SCHEMA, migrate
from .snapshot import Snapshot
from .stock import Stock
from .throttle import Throttle
from .write_lock import WriteLock

log = logging.getLogger("sms_rent_mock")
OTHER_DB = "choose another --db"
# a process's every this many write transactions, the WAL is copied back into the database file
CHECKPOINT_EVERY = 100


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
        self._writes = 0
        self._checkpointer = Checkpointer(self, lambda store: store._checkpoint(store.db))
        try:  # writers queue here, not in SQLite's busy handler (see write_lock)
            self._write_lock = WriteLock(path + ".lock")
        except OSError as exc:
            raise StoreError(self.path, f"its lock file {path}.lock cannot be opened ({exc.strerror})",
                             f"make it and its directory writable, or {OTHER_DB}") from None
        try:
            self._keepalive = self._connect()
            self._keepalive.executescript(SCHEMA)
            migrate(self._keepalive)
        except sqlite3.DatabaseError as exc:
            raise StoreError(self.path, _unusable(exc), f"move it away (a new store is then created), or {OTHER_DB}") \
                from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._uri, uri=True, isolation_level=None, check_same_thread=False, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout = 30000")
        db.execute("PRAGMA journal_mode = WAL")
        # reads come straight from the mapped file (pages the OS shares between workers), so each
        # thread's connection keeps a small private page cache of its own
        db.execute("PRAGMA mmap_size = 268435456")
        db.execute("PRAGMA cache_size = -512")
        # NORMAL: a commit survives the process being killed (the WAL is in the OS cache); a throwaway
        # store need not survive anything.
        db.execute("PRAGMA synchronous = OFF" if self.in_memory else "PRAGMA synchronous = NORMAL")
        # SQLite's own checkpoint runs inside the COMMIT that crosses its threshold, with the write lock
        # held (and, with NORMAL, two fsyncs): every writer queued behind it waited. write() runs it instead.
        db.execute("PRAGMA wal_autocheckpoint = 0")
        return db

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (autocommit outside ``write()``)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
            self._local.memo = Memo()
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
            with (self._unsaved(db, depth) if db.total_changes == self._local.begun_with
                  else nested(db, self._local, depth)):
                yield db
            return
        memo = self._local.memo
        with self._write_lock.held():
            db.execute("BEGIN IMMEDIATE")
            self._local.begun_with = db.total_changes
            memo.forget()
            self._local.depth = 1
            try:
                yield db
            except BaseException:
                memo.forget()
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            finally:
                self._local.depth = 0
            memo.forget()
            try:
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            self._writes += 1
            checkpoint = self._writes % CHECKPOINT_EVERY == 0
        if checkpoint:
            self._checkpointer.wake()

    @contextmanager
    def _unsaved(self, db: sqlite3.Connection, depth: int) -> Iterator[sqlite3.Connection]:
        """A nested write whose transaction has changed nothing yet needs no savepoint: rolling it back
        is rolling the transaction back and beginning again, with the write lock still held, so nothing
        can have changed in between. (Every provider call nests its domain work this way: two
        statements fewer while the lock is held.)"""
        self._local.depth = depth + 1
        try:
            yield db
        except BaseException:
            self._local.memo.forget()
            if db.in_transaction:  # (an I/O error may have rolled it back already)
                db.execute("ROLLBACK")
            db.execute("BEGIN IMMEDIATE")
            self._local.begun_with = db.total_changes
            raise
        finally:
            self._local.depth = depth

    def _checkpoint(self, db: sqlite3.Connection) -> None:
        """Copy the WAL back into the database file, outside the write lock: PASSIVE waits for no reader
        or writer (what it cannot copy now the next one copies). The write it follows has committed, so
        a failure here is only logged."""
        try:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:
            log.warning("%s: WAL checkpoint failed (%s); the next one retries", self.path, exc)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction (``BEGIN`` deferred): every query in it sees the same committed state.
        Inside another transaction of this thread it simply joins that one."""
        db = self.db
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN")
        self._local.memo.forget()
        try:
            yield db
        finally:
            self._local.memo.forget()
            if db.in_transaction:
                db.execute("COMMIT")  # nothing was written: only ends the snapshot

    @contextmanager
    def unit_of_work(self) -> Iterator[Tx]:
        """``write()`` with the repositories: ``with store.unit_of_work() as tx: tx.rentals...``."""
        with self.write() as db:
            yield self._tx(db)

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """``read()`` with the repositories (written out again: every provider read opens one)."""
        db = self.db
        if db.in_transaction:
            yield self._tx(db)
            return
        db.execute("BEGIN")
        self._local.memo.forget()
        try:
            yield self._tx(db)
        finally:
            self._local.memo.forget()
            if db.in_transaction:
                db.execute("COMMIT")  # nothing was written: only ends the snapshot

    def current(self) -> Tx:
        """The repositories over this thread's connection as it is: inside its open transaction if there
        is one, else each statement on its own (autocommit). For single reads that need no snapshot."""
        return self._tx(self.db)

    def _tx(self, db: sqlite3.Connection) -> Tx:
        """This thread's ``Tx``: repositories hold nothing but the connection, so one set per thread serves
        every transaction (made once, not per request)."""
        tx: Tx | None = getattr(self._local, "tx", None)
        if tx is None or tx.db is not db:
            tx = self._local.tx = Tx(db, self._local.memo)
        return tx

    @property
    def in_transaction(self) -> bool:
        return self.db.in_transaction

    def close(self) -> None:
        if not hasattr(self, "_keepalive"):
            return
        self._checkpointer.stop()
        self._keepalive.close()
        self._write_lock.close()
        if self.in_memory:
            self._cleanup()


def _unusable(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return "is not an SQLite database, or is damaged"
    if "readonly" in text:
        return "is read-only"
    return f"cannot be opened as a store ({text})"


class Tx:
    """One transaction's repositories over one connection (each made on first use), sharing the
    connection's ``Memo`` (a throwaway one when none is given)."""

    def __init__(self, db: sqlite3.Connection, memo: Memo | None = None) -> None:
        self.db = db
        self.memo = memo if memo is not None else Memo()

    @cached_property
    def rentals(self) -> Rentals:
        return Rentals(self.db, self.memo)

    @cached_property
    def accounts(self) -> Accounts:
        return Accounts(self.db, self.memo)

    @cached_property
    def stock(self) -> Stock:
        return Stock(self.db)

    @cached_property
    def inbox(self) -> Inbox:
        return Inbox(self.db)

    @cached_property
    def meta(self) -> Meta:
        return Meta(self.db, self.memo)

    @cached_property
    def throttle(self) -> Throttle:
        return Throttle(self.db)

    @cached_property
    def faults(self) -> FaultRules:
        return FaultRules(self.db)

    @cached_property
    def journal(self) -> JournalRows:
        return JournalRows(self.db)

    @cached_property
    def snapshot(self) -> Snapshot:
        return Snapshot(self.db, self.memo)
