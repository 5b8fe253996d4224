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

from sms_rent_mock.schemas.dialects import Dialect, Method

from ..domain import World, errors
from ..exchange import Exchange, Reply
from . import wire

# the HTTP methods a provider route takes at all (the dialect then refuses all but its own verbs);
# any other is answered 405 by the front
ANY_METHOD = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

Handler = Callable[[World, dict[str, str]], Reply]
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

    def error(self, code: str) -> Reply:
        return wire.reply(self.dialect.name, "error", self.dialect.error_body(code))

    def dispatch(self, world: World, exchange: Exchange) -> Reply:
        """Route one call (the steps are in the module docstring)."""
        d, codes, verb = self.dialect, self.dialect.codes, exchange.verb
        if verb not in d.verbs:
            return self.error(codes.wrong_verb)
        if d.param is not None and exchange.body_error is not None:
            return self.error(codes.bad_params)
        method = d.method_at(exchange.path, exchange.params)
        if method is None:
            return self.error(codes.unknown_method)
        if verb == "HEAD" and not method.read_only:
            return self.error(codes.wrong_verb)  # a HEAD never rents, charges or deletes
        if exchange.body_error is not None:
            return self.error(codes.bad_params)
        values = dict(exchange.params)
        if self.prepare is not None:
            self.prepare(values)
        found = wire.problem(d.name, method.name, values, fallback=codes.bad_params)
        if found is not None:
            return self.error(found[1])
        if not method.transaction:
            return self._answer(world, method, values)
        return wire.committed(world, lambda: self._answer(world, method, values), values.get("apikey"))

    def _answer(self, world: World, method: Method, values: dict[str, str]) -> Reply:
        try:
            return self.handlers[method.name](world, values)
        except Refusal as refusal:
            return self.error(refusal.code)
        except errors.RentalError as exc:
            return self.error(self.code_for(world, method.name, exc))
