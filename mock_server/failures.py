"""What the app answers when a request fails unexpectedly: JSON in the route's own format, never an
HTML 500 page; the cause logged once, and no API key ever in the server log.

- provider routes: the provider's envelope with its dialect's ``busy`` code (OnlineSim
  ``{"response": "TRY_AGAIN_LATER"}``, SMSPVA ``{"status": 0, "msg": "Try again later"}``);
- the control API and every other route: ``{"error": "...", "field": null}``;
- HTTP 503 when the store cannot be used (damaged, unreadable, holding a value no call may write;
  the message names the file and the way out), HTTP 500 for anything else.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from typing import Any

from flask import Flask, current_app, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException

from sms_rent_mock.schemas.dialects import Dialect

from . import exchange, integrity
from .exchange import Reply
from .faults import DroppedConnection
from .storage import StoreError

log = logging.getLogger("sms_rent_mock")

SEEN_LIMIT = 256  # distinct causes remembered for "log once"; bounded so memory stays flat

_seen_lock = threading.Lock()

# where a key can appear in a log line: a query or form value, a bearer token, a control-API path
_PATTERNS = (
    re.compile(r"((?:api_?key|token)=)[^&\s'\"]+", re.IGNORECASE),
    re.compile(r"(Bearer\s+)[^\s'\"]+", re.IGNORECASE),
    re.compile(r"(/_mock/accounts/)[^/\s\[\]'\"?]+"),
)


def redact(text: str) -> str:
    """``text`` with every API key replaced by ``***``: the current request's key wherever it appears,
    and anything in a place where keys go."""
    for key in _request_keys():
        text = text.replace(key, "***")
    for pattern in _PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


def _request_keys() -> list[str]:
    serving = exchange.current()
    if serving is not None:  # a provider request (the front)
        current, merged = serving.request, serving.params
    elif has_request_context():  # a Flask route
        current, merged = request, {}
    else:
        return []
    found = [str(merged.get("apikey", ""))]
    for source in (current.args, current.form):
        found.append(str(source.get("apikey", "")))
    auth = current.headers.get("Authorization", "")
    found.append(auth[7:].strip() if auth.lower().startswith("bearer ") else "")
    if current.path.startswith("/_mock/accounts/"):
        found.append(current.path.removeprefix("/_mock/accounts/").split("/")[0])
    return sorted({k for k in found if len(k) >= 3}, key=len, reverse=True)  # longest first


class RedactingFilter(logging.Filter):
    """Rewrites a record's message and traceback text with ``redact`` before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def _once(seen: set[str], cause: str) -> bool:
    """True the first time this app sees ``cause`` (per process: each worker logs it once)."""
    with _seen_lock:
        if cause in seen:
            return False
        if len(seen) >= SEEN_LIMIT:
            seen.clear()
        seen.add(cause)
        return True


def handle(exc: Exception) -> Any:
    """The error handler of the Flask routes (control API, console) for every exception a view or hook raises."""
    if isinstance(exc, HTTPException) and (exc.code or 500) < 500:
        return exc  # 404, 405, ...: werkzeug's own answer
    status, message = _failed(exc, current_app.extensions.get("rental_world"), f"{request.method} {request.path}",
                              current_app.extensions.setdefault("failures_seen", set()))
    response = jsonify({"error": message, "field": None})
    response.status_code = status
    return response


def provider_failure(exc: Exception, world: Any, dialect: Dialect, where: str, seen: set[str]) -> Reply:
    """What a provider request that failed unexpectedly answers: the dialect's ``busy`` code, HTTP 500
    (503 when the store cannot be used), the cause logged once."""
    if isinstance(exc, DroppedConnection):
        raise exc  # a fault rule's dropped connection: the in-process client must see it
    status, _ = _failed(exc, world, where, seen)
    return Reply(dialect.error_body(dialect.codes.busy), status, outcome="error")


def _failed(exc: Exception, world: Any, where: str, seen: set[str]) -> tuple[int, str]:
    """(HTTP status, message) of an unexpected failure, logged the first time its cause is seen."""
    store_problem = _store_problem(world, exc)
    status = 503 if store_problem else 500
    message = store_problem or "internal error: the cause is in the server log"
    cause = store_problem or f"{type(exc).__name__}: {exc}"
    if _once(seen, cause):
        if store_problem:
            log.error("%s failed: %s", where, store_problem)
        else:
            log.error("%s failed: %s", where, cause, exc_info=exc)
    return status, message


def _store_problem(world: Any, exc: Exception) -> str | None:
    """What is wrong with the store, if the failure comes from it (one line, naming the file)."""
    if isinstance(exc, StoreError):
        return str(exc)
    if world is None:
        return None
    try:
        found = integrity.problem(world.store)
    except Exception:  # the check itself could not read the store
        found = None
    if found is not None:
        return found
    if isinstance(exc, sqlite3.DatabaseError):
        return str(StoreError(world.store.path, f"cannot be used ({exc})", integrity.WAY_OUT))
    return None


def init_app(app: Flask) -> None:
    app.register_error_handler(Exception, handle)
    for logger in (app.logger, log, logging.getLogger("werkzeug")):
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
