"""A provider on the server: its wire ``Dialect`` (``schemas/dialects.py``), a handler per method and its
map from domain refusals to the provider's codes. One dispatch serves both providers:

1. an HTTP method the API refuses: ``codes.wrong_verb``;
2. a method named by a query parameter is read with the body, so a body beyond bounds comes first
   (``codes.bad_params``); one named by the path is known before the body is looked at;
3. an unknown method: ``codes.unknown_method``; a HEAD of a state-changing method: ``codes.wrong_verb``;
4. a body beyond bounds, then the first way the parameters break the request schema;
5. the handler: read-only methods (and reads that only mark SMS read) run as they come, every other
   one in a transaction committed only with its success reply (``wire.committed``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, request

from sms_rent_mock.schemas.dialects import Dialect, Method

from ..domain import World, errors
from ..request_params import body_problem, params
from . import wire

ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

Handler = Callable[[World, dict[str, str]], Response]
CodeFor = Callable[[World, str, errors.RentalError], str]  # (world, method, refusal) -> the provider's code


class Refusal(Exception):
    """A failure the dialect itself decides (not a domain rule); ``code`` goes on the wire as is."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class ServerDialect:
    """``handlers`` is looked up on every call (tests swap a handler for one request)."""

    dialect: Dialect
    handlers: dict[str, Handler]
    code_for: CodeFor
    prepare: Callable[[dict[str, str]], None] | None = None  # adjusts parameters before the schema check

    def error(self, code: str) -> Response:
        return wire.reply(self.dialect.name, "error", self.dialect.error_body(code))

    def blueprint(self, import_name: str) -> Blueprint:
        """The provider's routes: its endpoint, or ``<folder><name>`` for each folder it serves."""
        bp = Blueprint(self.dialect.name, import_name)
        rules = [self.dialect.endpoint] if self.dialect.endpoint else [f"{f}<name>" for f in self.dialect.folders]
        for index, rule in enumerate(rules):
            bp.add_url_rule(rule, f"api{index}", self.dispatch, methods=ANY_METHOD)
        return bp

    def dispatch(self, **_: str) -> Response:
        """Route one call (the steps are in the module docstring)."""
        d, codes = self.dialect, self.dialect.codes
        if request.method not in d.verbs:
            return self.error(codes.wrong_verb)
        if d.param is not None and body_problem() is not None:
            return self.error(codes.bad_params)
        method = d.method_at(request.path, params())
        if method is None:
            return self.error(codes.unknown_method)
        if request.method == "HEAD" and not method.read_only:
            return self.error(codes.wrong_verb)  # a HEAD never rents, charges or deletes
        if body_problem() is not None:
            return self.error(codes.bad_params)
        values = params()
        if self.prepare is not None:
            self.prepare(values)
        found = wire.problem(d.name, method.name, values, fallback=codes.bad_params)
        if found is not None:
            return self.error(found[1])
        if not method.transaction:
            return self._answer(method, values)
        return wire.committed(lambda: self._answer(method, values))

    def _answer(self, method: Method, values: dict[str, str]) -> Response:
        world = wire.world()
        try:
            return self.handlers[method.name](world, values)
        except Refusal as refusal:
            return self.error(refusal.code)
        except errors.RentalError as exc:
            return self.error(self.code_for(world, method.name, exc))
