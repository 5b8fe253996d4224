"""What the kit talks to: a base URL (our mock or the real provider), or a mock started in-process.

Every call goes through ``Target.call`` so it is recorded for the report, with the API key redacted.
"""

from __future__ import annotations

import json
import logging
import shlex
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import requests

from sms_rent_mock.schemas.dialects import DIALECTS

from .wsgi_transport import WSGITransport

if TYPE_CHECKING:
    from sms_rent_mock.mock_server.client import MockControl

    from .pace import Pace
    from .report import Report

REDACTED = "***"


@dataclass(frozen=True, slots=True)
class Reply:
    provider: str
    method: str
    params: dict[str, str]
    status: int
    text: str
    body: Any            # parsed JSON, or None when the body is not JSON
    seconds: float
    content_type: str = ""

    def curl(self, base_url: str) -> str:
        """The request as a replayable curl line, key redacted."""
        shown = {k: (REDACTED if k == "apikey" else v) for k, v in self.params.items()}
        return "curl " + shlex.quote(f"{base_url}{path_of(self.provider, self.method)}?{urlencode(shown)}")


def path_of(provider: str, method: str) -> str:
    return DIALECTS[provider].path(method)


@dataclass
class Target:
    """An HTTP target. ``control`` is the mock's control API when the target has one, else None."""

    base_url: str
    api_key: str = ""
    session: requests.Session = field(default_factory=requests.Session)
    timeout: float = 30.0
    calls: list[Reply] = field(default_factory=list)
    keep_calls: int = 200
    control: MockControl | None = None
    report: Report | None = None
    mark: int = 0  # index into ``calls`` where the current scenario began
    pace: Pace | None = None  # the run's deadline: checked before every call

    def call(self, provider: str, method: str, params: dict[str, Any] | None = None, *,
             api_key: str | None = None) -> Reply:
        query = {k: _text(v) for k, v in (params or {}).items() if v is not None}
        param = DIALECTS[provider].param
        if param is not None:
            query = {param: method, **query}
        key = self.api_key if api_key is None else api_key
        if key and "apikey" not in query:
            query["apikey"] = key
        timeout = self.timeout
        if self.pace is not None:
            self.pace.before_call()
            timeout = max(0.5, min(timeout, self.pace.remaining()))
        started = time.perf_counter()
        response = self.session.get(self.base_url + path_of(provider, method), params=query, timeout=timeout)
        try:
            body = response.json()
        except ValueError:
            body = None
        reply = Reply(provider, method, query, response.status_code, response.text, body,
                      time.perf_counter() - started, response.headers.get("Content-Type", ""))
        self.calls.append(reply)
        if len(self.calls) > 2 * self.keep_calls:
            dropped = len(self.calls) - self.keep_calls
            del self.calls[:dropped]
            self.mark = max(0, self.mark - dropped)
        if self.report is not None:
            self.report.record(reply)
        return reply

    def begin(self) -> None:
        """A new scenario starts: ``replay()`` lists the calls from here on."""
        self.mark = len(self.calls)

    def replay(self) -> list[str]:
        """The calls of the current scenario as curl lines (key redacted)."""
        return [self.redact(reply.curl(self.base_url)) for reply in self.calls[self.mark:]]

    def redact(self, text: str) -> str:
        return text.replace(self.api_key, REDACTED) if self.api_key else text


def loopback_http(url: str) -> bool:
    """A plain-HTTP target on this machine's loopback (the in-process mock, a local ``serve``)."""
    parts = urlsplit(url)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


def probe_control(base_url: str, session: requests.Session, token: str | None = None) -> MockControl | None:
    """The target's control API if it answers (our mock), else None (a real provider has none)."""
    from sms_rent_mock.mock_server.client import ControlError, MockControl

    control = MockControl(base_url, token=token, session=session, timeout=5)
    try:
        control.clock()["now"]
    except (requests.RequestException, ControlError, ValueError, KeyError, TypeError):
        return None
    return control


_IN_PROCESS: dict[str, Any] = {}  # base URL of each running in-process mock -> its app


@contextmanager
def in_process_mock(*, seed: int = 0, profile: str = "live", **settings: Any) -> Iterator[str]:
    """Start our mock in this process on a free loopback port (real HTTP); yields its base URL.
    While it runs, ``in_process_transport(url)`` reaches the same app without HTTP."""
    from sms_rent_mock.mock_server import create_app

    config = {"DB": ":memory:", "CLOCK": "frozen", "SEED": seed, "PROFILE": profile, **settings}
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log line per request
    app = create_app(config)
    with serve_in_thread(app) as url:
        _IN_PROCESS[url] = app
        try:
            yield url
        finally:
            del _IN_PROCESS[url]


def in_process_transport(url: str) -> WSGITransport | None:
    """A transport straight into the in-process mock serving ``url``, if one is (else None)."""
    app = _IN_PROCESS.get(url.rstrip("/"))
    return None if app is None else WSGITransport(app)


@contextmanager
def serve_in_thread(app: Any) -> Iterator[str]:
    """Serve a WSGI app over real HTTP on 127.0.0.1 and a free port, in a daemon thread; yields the URL."""
    server = _pooled_server(app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


POOL_THREADS = 16  # a browser opens six connections to a host, the kit one; tests' concurrent clients a few more
IDLE_SECONDS = 10  # how long a pooled thread waits for a request on a connection; stopping waits for them


def _pooled_server(app: Any) -> Any:
    """Werkzeug's server answering on a fixed pool of threads. Its threaded server starts a thread per
    connection (it closes every one), and a new thread opens a new SQLite connection: three times the
    cost of the call itself. Pooled threads keep theirs."""
    from concurrent.futures import ThreadPoolExecutor

    from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        timeout = IDLE_SECONDS  # a connection that sends nothing (a browser's spare one) frees its thread

    class PooledServer(BaseWSGIServer):
        multithread = True

        def __init__(self) -> None:
            super().__init__("127.0.0.1", 0, app, handler=Handler)
            self.pool = ThreadPoolExecutor(POOL_THREADS, thread_name_prefix="mock-http")

        def process_request(self, request: Any, client_address: Any) -> None:
            self.pool.submit(self.answer, request, client_address)

        def answer(self, request: Any, client_address: Any) -> None:
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

        def server_close(self) -> None:
            super().server_close()
            self.pool.shutdown(wait=True)

    return PooledServer()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (list, dict)) else str(value)
