"""The store under concurrent requests, and what a throwaway store leaves behind."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import requests

from mock_server.store import Store

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
