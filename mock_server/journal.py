"""The request journal: each provider request with its parameters (apikey redacted), the outcome the
client saw, the fault rule that shaped it, and how long it took.

It is a ring buffer shared by every worker process, kept off the request path: a request only appends
its entry to this process's buffer; a background thread writes the buffer in one transaction at most
``FLUSH_DELAY`` seconds later (at once when ``BATCH_SIZE`` entries wait, and at exit), deleting the rows
older than the newest ``JOURNAL_SIZE`` by primary key. It lives in its own SQLite file beside the store
(``<db>.requests``), so those batches never wait for a rental's write lock.

Readers still see every request answered before they asked: ``entries()`` first flushes the buffers of
this process, then waits (at most ``WAIT_LIMIT``) until no other live process holds unwritten entries.
A process marks that it holds some with an empty file ``<db>.requests.pending/<pid>-<id>``, made when
its buffer stops being empty and removed once the buffer is written. On PostgreSQL the journal is a
table of the shared database and the mark an advisory lock, so it holds across hosts
(``storage/pg_journal.py``).
"""

from __future__ import annotations

import atexit
import json
import logging
import multiprocessing.util
import os
import sqlite3
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from sms_rent_mock.schemas.dialects import DIALECTS

from . import exchange as exchanges
from .exchange import Exchange, Reply
from .storage import Store, is_postgres

log = logging.getLogger("sms_rent_mock")
REDACTED = "***"
FLUSH_DELAY = 0.05   # seconds an entry may wait in its process's buffer
BATCH_SIZE = 256     # entries that are written at once, whatever the delay
SQLITE_INT = 2**63
WAIT_LIMIT = 2.0     # seconds a reader waits for other processes' buffers
_LIVE: weakref.WeakSet[Journal] = weakref.WeakSet()  # this process's journals (flushed at exit and on read)

Row = tuple[str, str, str, str, int, int | None, float, int, float]
# what a request leaves in the buffer: a Row whose parameters are still a dict (redacted and encoded by
# the flusher, off the request path)
Entry = tuple[str, str, dict[str, str], str, int, int | None, float, int, float]


def outcome_of(provider: str, reply: Reply) -> str:
    """``ok``, the provider's error code or message, ``HTTP <status>``, or ``malformed``."""
    if reply.outcome is not None:
        return reply.outcome
    if reply.status != 200:
        return f"HTTP {reply.status}"
    return DIALECTS[provider].envelope.outcome(None if isinstance(reply.body, bytes) else reply.body)


def _row(entry: Entry) -> Row:
    provider, method, params, *rest = entry
    redacted = {k: (REDACTED if k.lower() == "apikey" else v) for k, v in params.items()}
    return (provider, method, json.dumps(redacted, ensure_ascii=False), *rest)  # type: ignore[return-value]


class Journal:
    """The journal's own store: ``<db>.requests`` next to a store file, a private in-memory one otherwise."""

    def __init__(self, db_path: str, size: int, *, flush_delay: float = FLUSH_DELAY,
                 batch_size: int = BATCH_SIZE) -> None:
        self.size, self.flush_delay, self.batch_size = size, flush_delay, batch_size
        self.pending: Any = None  # PostgreSQL: the cross-host mark (pg_journal.Pending)
        if size > 0 and is_postgres(db_path):
            from .storage import pg_journal
            self.store: Any = pg_journal.journal_store(db_path)
            self.pending = pg_journal.Pending(self.store)
        else:
            self.store = None if size <= 0 else Store(":memory:" if db_path == ":memory:" else f"{db_path}.requests")
        if self.store is not None:
            self._migrate(self.store)
        shared = self.store is not None and not self.store.in_memory and self.pending is None
        self.pending_dir = Path(f"{db_path}.requests.pending") if shared else None
        self._name = uuid.uuid4().hex[:12]
        self._start()
        _LIVE.add(self)
        _hook_exit()

    @staticmethod
    def _migrate(store: Store) -> None:
        """Batches from several workers interleave, so entries are ordered by ``logged``, not by id."""
        with store.unit_of_work() as tx:
            tx.journal.migrate()

    def _start(self) -> None:
        """Fresh per-process state (also in a worker forked after the journal was made)."""
        self._pid = os.getpid()
        self._lock = threading.Lock()      # guards the buffer and the marker
        self._flushing = threading.Lock()  # one batch write at a time, in order
        self._wake = threading.Event()
        self._buffer: list[Entry] = []
        self._thread: threading.Thread | None = None

    @property
    def _marker(self) -> Path | None:
        return None if self.pending_dir is None else self.pending_dir / f"{os.getpid()}-{self._name}"

    def record(self, *, provider: str, method: str, params: dict[str, str], outcome: str, http_status: int,
               fault: int | None, duration_ms: float, at: int) -> None:
        """Buffer one entry; written by the flusher thread within ``flush_delay``."""
        if self.store is None:
            return
        if self._pid != os.getpid():
            self._start()
            _hook_exit()
        at = at if -SQLITE_INT <= at < SQLITE_INT else 0  # a damaged clock must not stop the journal
        row: Entry = (provider, method, params, outcome, http_status, fault, round(duration_ms, 3), at, time.time())
        with self._lock:
            if not self._buffer and (marker := self._marker) is not None:
                marker.parent.mkdir(exist_ok=True)
                marker.touch()
            elif not self._buffer and self.pending is not None:
                self.pending.mark()
            self._buffer.append(row)
            full = len(self._buffer) >= self.batch_size
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="journal-flusher", daemon=True)
                self._thread.start()
        if full:
            self.flush()
        elif not self._wake.is_set():
            self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(self.flush_delay)  # let a batch gather
            self._wake.clear()
            try:
                self.flush()
            except (sqlite3.Error, OverflowError, ValueError):  # never fails a request; entries kept for the next try
                log.exception("could not write the request journal")

    def flush(self) -> None:
        """Write this process's buffered entries in one transaction (a no-op when there are none)."""
        if self.store is None or self._pid != os.getpid():
            return
        with self._flushing:
            with self._lock:
                batch, self._buffer = self._buffer, []
            if batch:
                try:
                    rows = [_row(entry) for entry in batch]
                    with self.store.unit_of_work() as tx:
                        tx.journal.append(rows, keep=self.size)
                except BaseException:
                    with self._lock:  # kept for the next try, but never more than the journal holds
                        self._buffer[:0] = batch
                        del self._buffer[:-self.size]
                    raise
            with self._lock:
                if not self._buffer and (marker := self._marker) is not None:
                    marker.unlink(missing_ok=True)
                elif not self._buffer and self.pending is not None:
                    self.pending.unmark()

    def _wait_for_others(self) -> None:
        """Flush every journal of this process, then wait while another live process holds entries."""
        for other in list(_LIVE):
            if other.store is not None and self.store is not None and other.store.path == self.store.path:
                other.flush()
        if self.pending is not None:
            self.pending.wait_for_others(WAIT_LIMIT)
            return
        if self.pending_dir is None:
            return
        mine = f"{os.getpid()}-"
        deadline = time.monotonic() + WAIT_LIMIT
        while time.monotonic() < deadline:
            waiting = [m for m in self._others() if not m.name.startswith(mine)]
            if not waiting:
                return
            time.sleep(0.005)
        log.warning("journal: other workers did not write their entries within %.1f s", WAIT_LIMIT)

    def _others(self) -> list[Path]:
        """Markers of live processes (a dead process's marker is removed: its entries are lost with it)."""
        assert self.pending_dir is not None
        try:
            markers = list(self.pending_dir.iterdir())
        except FileNotFoundError:
            return []
        live = []
        for marker in markers:
            try:
                os.kill(int(marker.name.split("-")[0]), 0)
            except ProcessLookupError:
                marker.unlink(missing_ok=True)
                continue
            except (ValueError, PermissionError):
                pass
            live.append(marker)
        return live

    def entries(self, *, provider: str | None = None, method: str | None = None,
                limit: int = 100) -> list[dict[str, Any]]:
        """Newest first, including every request answered before this call (see the module docstring)."""
        if self.store is None:
            return []
        self._wait_for_others()
        rows = self.store.current().journal.newest(provider=provider, method=method, limit=limit)
        return [{"id": r["id"], "provider": r["provider"], "method": r["method"], "params": json.loads(r["params"]),
                 "outcome": r["outcome"], "http_status": r["http_status"], "fault": r["fault"],
                 "duration_ms": r["duration_ms"], "at": r["at"]} for r in rows]

    def close(self) -> None:
        """Write what is buffered and let go of the journal's store (PostgreSQL: its connections)."""
        if self.store is not None:
            self.flush()
            if self.pending is not None:
                self.pending.close()
            self.store.close()
            self.store = None

    def clear(self) -> int:
        """Delete every entry, those still buffered by any process included."""
        if self.store is None:
            return 0
        self._wait_for_others()
        with self.store.unit_of_work() as tx:
            return tx.journal.clear()


@atexit.register
def _flush_all() -> None:
    """Shutdown: write what every journal of this process still holds."""
    for found in list(_LIVE):
        try:
            found.flush()
        except sqlite3.Error:
            log.exception("could not write the request journal at exit")


_exit_hooked: set[int] = set()


def _hook_exit() -> None:
    """A forked worker (Granian's default) ends with ``os._exit``, which skips atexit but runs
    multiprocessing's finalizers: register the flush there too, once per process."""
    if os.getpid() not in _exit_hooked:
        _exit_hooked.add(os.getpid())
        multiprocessing.util.Finalize(None, _flush_all, exitpriority=100)


def journal(app: Flask | None = None) -> Journal:
    found: Journal = (app or current_app).extensions["mock_journal"]
    return found


def record(book: Journal, exchange: Exchange, reply: Reply, clock: Callable[[], int]) -> None:
    """Journal a provider request once, dated with the request's own `now` (``clock()`` when it read
    none); a dropped connection is status 0, no answer sent."""
    if exchange.journaled or book.size <= 0:
        return
    exchange.journaled = True
    try:
        at = exchange.now if exchange.now is not None else clock()
    except Exception:  # noqa: BLE001 - a damaged store's clock (failures reports it): keep the entry, undated
        at = 0
    try:
        book.record(provider=exchange.call[0], method=exchange.call[1], params=exchange.params,
                    outcome=outcome_of(exchange.call[0], reply), http_status=0 if reply.drop else reply.status,
                    fault=exchange.fault, duration_ms=(time.perf_counter() - exchange.started) * 1000, at=at)
    except (sqlite3.Error, OSError):  # the journal never fails a request
        log.exception("could not journal a request")


def remember_now(now: int) -> None:
    """The World's ``seen_now``: the request's own `now`, the moment its entry is dated with."""
    found = exchanges.current()
    if found is not None and found.now is None:
        found.now = now


def init_app(app: Flask) -> None:
    app.extensions["mock_journal"] = Journal(str(app.config["DB"]), int(app.config["JOURNAL_SIZE"]))
    app.extensions["rental_world"].seen_now = remember_now
