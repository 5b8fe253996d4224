"""The provider front: the WSGI layer that serves both providers' APIs straight from the environ, and
hands every other request (control API, console) to the Flask app.

A provider request is the hot path of every client, so it skips what a Flask route pays for (request
and app contexts, URL map, hooks, response objects): one ``Exchange`` carries the request through
fault rules, the dialect's dispatch and the journal, and the reply is encoded once. What a route
answers is the dialect's business (``providers/dialect.py``); the front only adds the HTTP around it:

- a path is a provider's when its dialect's path rule says so (``schemas/dialects.call_of``);
- an HTTP method no provider route takes at all: 405, as a router would answer;
- a failure: the dialect's ``busy`` code with HTTP 500 (503 when the store cannot be used), logged once;
- HEAD: the headers of the answer without its body.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES

from sms_rent_mock.schemas.dialects import call_of

from . import failures, faults, journal
from .domain import World
from .exchange import Exchange, Reply, path_of, serving
from .providers import SERVED, wire
from .providers.dialect import ANY_METHOD, ServerDialect
from .request_params import merged

StartResponse = Callable[..., Any]


_JSON = json.JSONEncoder(separators=(",", ":"))  # made once: building one per reply costs more than small bodies


def encode(body: Any) -> bytes:
    """A reply's body as Flask's ``jsonify`` would write it (compact, keys in order, ASCII, a newline)."""
    if isinstance(body, bytes):
        return body
    return (_JSON.encode(body) + "\n").encode()


class ProviderFront:
    """WSGI middleware over the Flask app: provider paths are served here, the rest goes to ``app``."""

    def __init__(self, app: Flask, served: Mapping[str, ServerDialect] = SERVED) -> None:
        self.app, self.flask_wsgi, self.served = app, app.wsgi_app, served
        self.world: World = app.extensions["rental_world"]
        self.runtime: faults.Runtime = app.extensions["mock_runtime"]
        self.book: journal.Journal = app.extensions["mock_journal"]
        self.seen: set[str] = app.extensions.setdefault("failures_seen", set())

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = path_of(environ)
        route = call_of(path, {})  # whose path it is; the method may be named in the body
        if route is None:
            return self.flask_wsgi(environ, start_response)
        exchange = Exchange(environ, path, route, str(self.app.config["PROFILE"]))
        if exchange.verb not in ANY_METHOD:
            return MethodNotAllowed(valid_methods=sorted(ANY_METHOD))(environ, start_response)
        with serving(exchange):
            reply = self._reply(exchange)
            journal.record(self.book, exchange, reply, self.world.now)
        if reply.drop:
            faults.drop(environ)
        body = encode(reply.body)
        headers = [("Content-Type", reply.content_type), ("Content-Length", str(len(body))), *reply.headers]
        start_response(f"{reply.status} {HTTP_STATUS_CODES.get(reply.status, 'Unknown').upper()}", headers)
        return [] if exchange.verb == "HEAD" else [body]

    def _reply(self, exchange: Exchange) -> Reply:
        dialect = self.served[exchange.call[0]]
        try:
            exchange.params, exchange.body_error = merged(exchange.environ, lambda: exchange.request)
            if dialect.dialect.param is not None:  # the method is a parameter, perhaps in the body
                exchange.call = call_of(exchange.path, exchange.params) or exchange.call
            reply = faults.screen(self.runtime, exchange) or dialect.dispatch(self.world, exchange)
        except Exception as exc:
            return self._failed(exc, exchange, dialect)
        mode = self.app.config["VALIDATE"]
        if not mode or reply.schema is None:
            return reply
        try:
            return self._checked(reply, mode)
        except AssertionError as exc:
            if self._propagates():
                raise  # ``VALIDATE = "raise"`` under test: the violation reaches the test, as Flask would let it
            return self._failed(exc, exchange, dialect)

    def _failed(self, exc: Exception, exchange: Exchange, dialect: ServerDialect) -> Reply:
        where = f"{exchange.verb} {exchange.path}"
        return failures.provider_failure(exc, self.world, dialect.dialect, where, self.seen)

    @staticmethod
    def _checked(reply: Reply, mode: Any) -> Reply:
        """``VALIDATE``: the reply with a header naming how it breaks its schema (``raise``: AssertionError)."""
        message = wire.violation(reply.schema, reply.body, mode)  # type: ignore[arg-type]
        if message is None:
            return reply
        return dataclasses.replace(reply, headers=(*reply.headers, ("X-Mock-Schema-Violation", message)))

    def _propagates(self) -> bool:
        """Flask's rule for letting an exception out of the app: ``PROPAGATE_EXCEPTIONS``, else testing or debug."""
        found = self.app.config.get("PROPAGATE_EXCEPTIONS")
        return bool(self.app.testing or self.app.debug) if found is None else bool(found)
