"""The store under concurrent requests, and what a throwaway store leaves behind."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import requests

from mock_server.storage import Store

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
