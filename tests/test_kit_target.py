"""``contract_tests.target.serve_in_thread``: the in-process mock answers on a fixed pool of threads (so each
keeps its SQLite connection), serves concurrent calls side by side, and stops cleanly."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from sms_rent_mock.contract_tests import target
from sms_rent_mock.contract_tests.target import POOL_THREADS, serve_in_thread


def naming_app(seen: list[str], barrier: threading.Barrier | None = None) -> Any:
    """A WSGI app that notes which thread answered (and, with a barrier, waits for its peers first)."""
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(threading.current_thread().name)
        if barrier is not None:
            barrier.wait()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    return app


def test_sequential_calls_are_answered_by_the_pools_threads() -> None:
    seen: list[str] = []
    with serve_in_thread(naming_app(seen)) as url:
        for _ in range(40):  # each call is a new connection: the server closes every one
            assert requests.get(url, timeout=10).text == "ok"
    assert len(seen) == 40
    assert all(name.startswith("mock-http") for name in seen), set(seen)
    assert len(set(seen)) <= POOL_THREADS  # a thread per connection would have named forty


def test_concurrent_calls_are_served_side_by_side() -> None:
    seen: list[str] = []
    barrier = threading.Barrier(4, timeout=10)  # breaks (500s) unless all four are in the app at once
    with serve_in_thread(naming_app(seen, barrier)) as url:
        with ThreadPoolExecutor(4) as pool:
            replies = list(pool.map(lambda _: requests.get(url, timeout=30), range(4)))
    assert [r.status_code for r in replies] == [200] * 4
    assert len(set(seen)) == 4


def test_a_stopped_server_refuses_connections_and_leaves_no_pool_thread() -> None:
    before = set(threading.enumerate())
    with serve_in_thread(naming_app([])) as url:
        requests.get(url, timeout=10)
    try:
        requests.get(url, timeout=5)
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("the stopped server still answered")
    assert not [t for t in set(threading.enumerate()) - before if t.name.startswith("mock-http")]


def test_a_connection_that_sends_nothing_does_not_keep_the_server_from_stopping(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(target, "IDLE_SECONDS", 1)
    answered: list[str] = []
    idle: list[socket.socket] = []

    def serve_and_stop() -> None:
        with serve_in_thread(naming_app([])) as url:
            idle.append(socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))))  # a spare one
            answered.append(requests.get(url, timeout=10).text)  # others are still answered meanwhile

    stopper = threading.Thread(target=serve_and_stop, daemon=True)
    stopper.start()
    stopper.join(timeout=8)  # the idle connection's thread gives up after a second; stopping then ends
    alive = stopper.is_alive()
    for sock in idle:
        sock.close()
    assert not alive and answered == ["ok"]


@pytest.mark.parametrize(("url", "local"), [
    ("http://127.0.0.1:8080", True), ("http://localhost:8080/", True), ("http://[::1]:8080", True),
    ("https://127.0.0.1:8443", False), ("http://onlinesim.host", False), ("https://smspva.com", False),
])
def test_only_plain_http_on_loopback_skips_the_environments_proxy_and_ca_settings(url: str, local: bool) -> None:
    assert target.loopback_http(url) is local
