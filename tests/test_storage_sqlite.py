"""The SQLite backend: concurrent requests, throwaway stores, nested writes, units of work and path checks."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from sms_rent_mock.mock_server.storage import Store

from .conftest import make_app
from .live import serving


def test_in_memory_store_serves_overlapping_requests_without_errors() -> None:
    app = make_app(MAX_CONCURRENT=1000, START_BALANCE=100000)
    with serving(app) as url:
        def call(i: int) -> int:
            path = "/api/rent/getRentNum.php" if i % 2 else "/api/getBalance.php"
            reply = requests.get(url + path, params={"apikey": f"k{i % 4}", "country": 380, "days": 1}, timeout=30)
            return reply.status_code
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(call, range(200)))
    assert statuses.count(200) == 200
    assert app.extensions["rental_world"].audit() == []


def test_a_throwaway_store_removes_its_file_when_closed() -> None:
    store = Store(":memory:")
    folder = os.path.dirname(store._uri.removeprefix("file:"))
    assert os.path.isdir(folder)
    store.close()
    assert not os.path.exists(folder)


def test_a_nested_write_is_a_savepoint_of_the_outer_one() -> None:
    import pytest

    store = Store(":memory:")
    db = store.db
    with store.write():
        db.execute("INSERT INTO meta VALUES ('a', '1')")
        with pytest.raises(RuntimeError):
            with store.write():
                db.execute("INSERT INTO meta VALUES ('b', '2')")
                raise RuntimeError("inner fails")
        with store.write():
            db.execute("INSERT INTO meta VALUES ('c', '3')")
    assert {r[0] for r in db.execute("SELECT key FROM meta WHERE key IN ('a', 'b', 'c')")} == {"a", "c"}
    with pytest.raises(RuntimeError):
        with store.write():
            with store.write():
                db.execute("INSERT INTO meta VALUES ('d', '4')")
            raise RuntimeError("outer fails after the inner one ended")
    assert db.execute("SELECT 1 FROM meta WHERE key = 'd'").fetchone() is None
    with store.write():  # nothing is left open or locked
        db.execute("INSERT INTO meta VALUES ('e', '5')")
    assert not db.in_transaction
    store.close()


def test_a_nested_write_before_any_change_needs_no_savepoint_and_still_rolls_back_alone() -> None:
    store = Store(":memory:")
    db = store.db
    seen: list[str] = []
    db.set_trace_callback(seen.append)
    with store.write():
        with pytest.raises(RuntimeError):
            with store.write():
                db.execute("INSERT INTO meta VALUES ('b', '2')")
                raise RuntimeError("inner fails")
        assert db.in_transaction and db.execute("SELECT 1 FROM meta WHERE key = 'b'").fetchone() is None
        with store.write():  # still nothing changed: again no savepoint
            db.execute("INSERT INTO meta VALUES ('c', '3')")
        with pytest.raises(RuntimeError):
            with store.write():  # after a change: a savepoint
                db.execute("INSERT INTO meta VALUES ('d', '4')")
                raise RuntimeError("inner fails")
    db.set_trace_callback(None)
    assert {r[0] for r in db.execute("SELECT key FROM meta WHERE key IN ('b', 'c', 'd')")} == {"c"}
    assert [s.split()[0] for s in seen if s.startswith(("SAVEPOINT", "ROLLBACK TO"))] == ["SAVEPOINT", "ROLLBACK"]
    store.close()


def test_a_unit_of_work_commits_its_repositories_writes_and_rolls_back_on_error() -> None:
    import pytest

    store = Store(":memory:")
    with store.unit_of_work() as tx:
        tx.meta.put("kept", "1")
    with pytest.raises(RuntimeError):
        with store.unit_of_work() as tx:
            tx.meta.put("dropped", "1")
            raise RuntimeError("fails")
    assert store.current().meta.get("kept") == "1" and store.current().meta.get("dropped") is None
    store.close()


def test_a_reading_sees_one_snapshot_and_joins_an_open_write() -> None:
    store = Store(":memory:")
    with store.unit_of_work() as tx:
        tx.meta.put("k", "1")
        assert store.in_transaction
        with store.reading() as inner:  # joins the write: sees its uncommitted row
            assert inner.meta.get("k") == "1"
    assert not store.in_transaction
    with store.reading() as tx:
        assert store.in_transaction and tx.meta.get("k") == "1"
    assert not store.in_transaction
    store.close()


def test_a_path_that_cannot_hold_a_store_is_refused_with_the_way_out(tmp_path: Path) -> None:
    import pytest

    from sms_rent_mock.mock_server.storage import StoreError

    with pytest.raises(StoreError, match="is a directory; give a file name inside it, or choose another --db"):
        Store(str(tmp_path))
    with pytest.raises(StoreError, match="does not exist; create it"):
        Store(str(tmp_path / "missing" / "x.sqlite3"))


def _add_ones(store: Store, times: int, failures: Any) -> None:
    """Read-modify-write ``times`` increments of one counter (in a forked child: the parent's store)."""
    store.db.execute("PRAGMA busy_timeout = 0")  # a writer meeting SQLite's write lock fails at once
    try:
        for _ in range(times):
            with store.write() as db:
                (value,) = db.execute("SELECT value FROM meta WHERE key = 'counter'").fetchone()
                db.execute("UPDATE meta SET value = ? WHERE key = 'counter'", (str(int(value) + 1),))
    except Exception as exc:  # noqa: BLE001 - reported to the test process
        failures.put(repr(exc))


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_forked_workers_writing_at_once_queue_on_the_lock_file_never_in_sqlite(tmp_path: Path) -> None:
    """Writers of two processes (forked after the store was made, as Granian's workers) and two threads
    each take turns on ``<db>.lock``: with SQLite's busy handler switched off, none ever finds the
    database locked, and no increment is lost. (An inherited lock descriptor would let both in.)"""
    import multiprocessing

    seed = Store(str(tmp_path / "s.sqlite3"))
    seed.current().db.execute("INSERT INTO meta VALUES ('counter', '0')")
    seed.close()
    store = Store(str(tmp_path / "s.sqlite3"))  # no thread's connection yet: the children make their own
    fork = multiprocessing.get_context("fork")
    failures = fork.Queue()
    children = [fork.Process(target=_add_ones, args=(store, 150, failures)) for _ in range(2)]
    for child in children:
        child.start()
    with ThreadPoolExecutor(2) as pool:  # meanwhile this process's threads write too
        list(pool.map(lambda _: _add_ones(store, 150, failures), range(2)))
    for child in children:
        child.join(timeout=120)
    assert [child.exitcode for child in children] == [0, 0]
    assert failures.empty(), failures.get()
    assert store.current().meta.get("counter") == "600"
    assert os.path.exists(str(tmp_path / "s.sqlite3.lock"))
    store.close()


def test_the_wal_is_checkpointed_every_so_many_writes_in_a_thread_of_its_own(tmp_path: Path) -> None:
    """SQLite's own checkpoint would run inside a COMMIT, holding up every queued writer; the write that
    crosses the threshold only wakes the checkpointer."""
    from sms_rent_mock.mock_server.storage import sqlite

    store = Store(str(tmp_path / "s.sqlite3"))
    assert store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    ran_in: list[str] = []

    def checkpoint(db: Any) -> None:
        ran_in.append(threading.current_thread().name)
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")
    store._checkpoint = checkpoint  # type: ignore[method-assign]
    for i in range(sqlite.CHECKPOINT_EVERY * 2 + 1):
        with store.unit_of_work() as tx:
            tx.meta.put("k", str(i))
        if i + 1 == sqlite.CHECKPOINT_EVERY:  # one wake-up each: let the first run before the second comes
            deadline = time.monotonic() + 10
            while not ran_in and time.monotonic() < deadline:
                time.sleep(0.01)
    deadline = time.monotonic() + 10
    while len(ran_in) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ran_in == ["wal-checkpoint", "wal-checkpoint"]
    store.close()
