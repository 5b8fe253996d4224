"""One provider request and what became of it, without Flask: the front makes an ``Exchange`` per
request; fault rules, the dispatch, the reply and the journal read and fill in the same object instead of
each going back to framework globals. ``current()`` finds it from code that is not handed it (the
World's clock callback, the log filter)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request

from .json_body import BodyError


@dataclass(frozen=True, slots=True)
class Reply:
    """What a provider request answers, before it is encoded: a JSON value (or ``bytes`` sent as they
    are), its status, and the response schema it must satisfy. ``drop``: close the connection instead."""

    body: Any
    status: int = 200
    schema: tuple[str, str] | None = None
    outcome: str | None = None  # what the journal records; None: read from the status and body
    content_type: str = "application/json"
    drop: bool = False
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class Exchange:
    """A provider request being served. ``call`` is (provider, method name as asked); ``params`` the
    merged query, form and JSON parameters (``request_params``); ``now`` the clock value its
    transaction read (the journal dates the entry with it). ``request`` (werkzeug's) is parsed only
    when asked for: a GET needs nothing but the environ."""

    environ: dict[str, Any]
    path: str  # ``path_of(environ)``, read once
    call: tuple[str, str]
    profile: str
    params: dict[str, str] = field(default_factory=dict)
    body_error: BodyError | None = None
    started: float = field(default_factory=time.perf_counter)
    now: int | None = None
    fault: int | None = None
    journaled: bool = False
    _request: Request | None = None

    @property
    def verb(self) -> str:
        return str(self.environ.get("REQUEST_METHOD", "GET")).upper()

    @property
    def request(self) -> Request:
        if self._request is None:
            self._request = Request(self.environ)
        return self._request


def path_of(environ: dict[str, Any]) -> str:
    """The request path as werkzeug gives it: UTF-8 decoded from the WSGI string, one leading slash."""
    return "/" + environ.get("PATH_INFO", "").encode("latin1").decode(errors="replace").lstrip("/")


_current: ContextVar[Exchange | None] = ContextVar("sms_rent_mock_exchange", default=None)


def current() -> Exchange | None:
    return _current.get()


@contextmanager
def serving(exchange: Exchange) -> Iterator[Exchange]:
    """``exchange`` is ``current()`` inside the block (per thread and task)."""
    token = _current.set(exchange)
    try:
        yield exchange
    finally:
        _current.reset(token)
