"""Each provider's wire dialect as data: how a reply says success or failure, how a request names its
method, and the method table. The server, the OpenAPI document and the contract kit all read it, so
none of them keeps its own copy (no Flask here: the kit imports it without the server).

OnlineSim names the method in the path (``/api/rent/<method>.php``, ``/api/getBalance.php``) and answers
``{"response": 1, ...}`` or ``{"response": "<CODE>"}``; SMSPVA names it in the ``method`` query parameter of
``/api/rent.php`` and answers ``{"status": 1, "data": ...}`` or ``{"status": 0, "msg": "<reason>"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from . import response_name

__all__ = ["DIALECTS", "ONLINESIM", "SMSPVA", "Codes", "Dialect", "Envelope", "Method", "call_of"]


@dataclass(frozen=True, slots=True)
class Envelope:
    """How a reply says success or failure."""

    status: str                  # the field that tells success from failure
    success: tuple[Any, ...]     # its values on success
    code: str                    # the field that carries an error's code (may be ``status`` itself)
    failed: Any = None           # ``status`` on an error, when the code has a field of its own
    bare: bool = False           # a success may come without ``status`` (OnlineSim's tariffsRent map)

    def error(self, code: str) -> dict[str, Any]:
        """The error body carrying ``code``."""
        return {self.code: code} if self.code == self.status else {self.status: self.failed, self.code: code}

    def is_error(self, body: Any) -> bool:
        return isinstance(body, dict) and self.status in body and body[self.status] not in self.success

    def outcome(self, body: Any) -> str:
        """``ok``, the error's code, or ``malformed`` (no envelope at all)."""
        if isinstance(body, dict) and self.status in body:
            return str(body.get(self.code, "")) if self.is_error(body) else "ok"
        return "ok" if self.bare and body is not None else "malformed"

    def code_of(self, body: Any) -> str:
        return str((body if isinstance(body, dict) else {}).get(self.code))


@dataclass(frozen=True, slots=True)
class Codes:
    """The error codes the dialect answers before any method runs, and for a failure of the mock itself."""

    unknown_method: str
    wrong_verb: str              # an HTTP method the API refuses, or a HEAD of a state-changing method
    bad_params: str              # a body beyond bounds, or a bad value whose schema names no code
    busy: str                    # "try again later": what an unexpected failure answers


@dataclass(frozen=True, slots=True)
class Method:
    """One API method. Its schemas are ``<name>.request`` and ``response_name(provider, name, profile)``."""

    name: str
    read_only: bool = False      # changes nothing but (on first use of a key) its account; HEAD may run it
    marks_read: bool = False     # a read whose only change is marking SMS read (a write of its own when needed)
    folder: str | None = None    # a path-named method served under another folder than the dialect's

    @property
    def transaction(self) -> bool:
        """Runs in one transaction, committed only with its success reply."""
        return not (self.read_only or self.marks_read)

    @property
    def request(self) -> str:
        return f"{self.name}.request"


@dataclass(frozen=True, slots=True)
class Dialect:
    """One provider's wire format. A method is named either by the file name of a path under ``folder``
    (``<folder><method>.php``, the ``.php`` optional) or by the query parameter ``param`` of ``endpoint``."""

    name: str
    envelope: Envelope
    codes: Codes
    verbs: tuple[str, ...]
    methods: Mapping[str, Method]
    folder: str | None = None
    endpoint: str | None = None
    param: str | None = None
    folders: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        found = dict.fromkeys([self.folder, *(m.folder for m in self.methods.values())] if self.folder else [])
        object.__setattr__(self, "folders", tuple(f for f in found if f))

    def error_body(self, code: str) -> dict[str, Any]:
        return self.envelope.error(code)

    def response(self, method: str, profile: str = "live") -> str:
        """The response schema name of ``method`` in ``profile``."""
        return response_name(self.name, method, profile)

    def path(self, method: str) -> str:
        """The path a client calls ``method`` at (the query then carries ``param`` when there is one); a
        name the dialect does not know goes where the name would put it."""
        if self.endpoint is not None:
            return self.endpoint
        known = self.methods.get(method)
        return f"{known and known.folder or self.folder}{method}.php"

    def named(self, path: str, params: Mapping[str, str]) -> tuple[str, str] | None:
        """(folder or endpoint, method name) when ``path`` is one of this dialect's routes, else None."""
        if path == self.endpoint and self.param is not None:
            return path, str(params.get(self.param, ""))
        for folder in self.folders:
            rest = path.removeprefix(folder) if path.startswith(folder) else ""
            if rest and "/" not in rest:
                return folder, rest.removesuffix(".php")
        return None

    def method_at(self, path: str, params: Mapping[str, str]) -> Method | None:
        """The method a request calls, when this dialect serves it at that path."""
        found = self.named(path, params)
        if found is None:
            return None
        where, name = found
        method = self.methods.get(name)
        if method is None or (self.endpoint is None and (method.folder or self.folder) != where):
            return None  # unknown, or a path-named method under another folder than its own
        return method


def _table(*methods: Method) -> Mapping[str, Method]:
    return MappingProxyType({m.name: m for m in methods})


ONLINESIM = Dialect(
    name="onlinesim",
    envelope=Envelope(status="response", success=(1, True), code="response", bare=True),
    codes=Codes(unknown_method="REQUEST_NOT_FOUND", wrong_verb="REQUEST_NOT_FOUND", bad_params="ERROR_PARAMS",
                busy="TRY_AGAIN_LATER"),
    verbs=("GET", "POST", "HEAD"),
    folder="/api/rent/",
    methods=_table(
        Method("getRentNum"), Method("getRentState", read_only=True), Method("extendRentState"),
        Method("portReload"), Method("portUnFreeze"), Method("closeRentNum"), Method("tariffsRent", read_only=True),
        Method("getBalance", read_only=True, folder="/api/"),
    ),
)

SMSPVA = Dialect(
    name="smspva",
    envelope=Envelope(status="status", success=(1,), code="msg", failed=0),
    codes=Codes(unknown_method="Incorrect method", wrong_verb="Only GET requests are accepted",
                bad_params="Incorrect parameters", busy="Try again later"),
    verbs=("GET", "HEAD"),
    endpoint="/api/rent.php",
    param="method",
    methods=_table(
        *(Method(name, read_only=True) for name in (
            "getcountries", "get_default_services", "get_country_by_service", "getdata", "getdataWithProviders",
            "getcount", "getCountWithProviders", "get_count_multi", "get_days_canada_paypal", "get_min_paypal_days")),
        Method("create"), Method("create_multi"), Method("add_service_to_order"), Method("orders", read_only=True),
        Method("activate"), Method("sms", marks_read=True), Method("prolong"), Method("prolong_max"),
        Method("delete"), Method("get_rent_history", read_only=True), Method("restore_user_precalc"),
        Method("restore_user"),
    ),
)

DIALECTS: dict[str, Dialect] = {d.name: d for d in (ONLINESIM, SMSPVA)}


def call_of(path: str, params: Mapping[str, str]) -> tuple[str, str] | None:
    """(provider, method name) of a request to a provider route, the name as the request gives it (known
    or not), or None for any other path. A dialect's own endpoint wins over another's folder, as in
    routing (``/api/rent.php`` is SMSPVA's, not an OnlineSim method ``rent`` under ``/api/``)."""
    for dialect in sorted(DIALECTS.values(), key=lambda d: d.endpoint is None):
        found = dialect.named(path, params)
        if found is not None:
            return dialect.name, found[1]
    return None
