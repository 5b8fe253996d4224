"""The control API under ``/_mock/``: only for the mock, apart from every provider route.

It puts the mock into any situation in one call: reset into a scenario, move or switch the clock,
set an account, stock or the catalog, deliver an SMS, freeze or retire a rental, override settings,
add fault rules, read the request journal, export and import the whole state. Bodies are JSON and
each has a schema in ``schemas/control/``; a body that breaks it gets HTTP 400
``{"error": "...", "field": ...}``. With ``CONTROL_TOKEN`` set, calls need ``Authorization: Bearer <token>``.
Every request first passes the cross-site rules of ``control_guard``; anything that still fails is a
JSON 500 whose log line has the account key redacted.
The Python client is ``MockControl`` (``sms_rent_mock.mock_server.client``, re-exported here on first
use, so a server process never imports ``requests``).
"""

from __future__ import annotations

import hmac
import logging
import re
import traceback
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from jsonschema.exceptions import best_match
from werkzeug.exceptions import HTTPException

from sms_rent_mock import schemas

from . import control_guard, faults, journal, json_body, providers
from .domain import World, admin, clock, errors
from .domain.admin import AdminError

__all__ = ["ControlError", "MockControl", "bp"]


def __getattr__(name: str) -> Any:
    if name in ("ControlError", "MockControl"):
        from . import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


bp = Blueprint("control", __name__, url_prefix="/_mock")
STATE_EXTRA = ("fault_rules",)
MAX_KEY = 256          # characters of an API key in /_mock/accounts/<key>
MAX_ROW_ID = 2**63 - 1  # SQLite INTEGER: a larger id names no rental or rule
log = logging.getLogger(__name__)


def world() -> World:
    found: World = current_app.extensions["rental_world"]
    return found


def reply(name: str, body: Any, status: int = 200) -> tuple[Response, int]:
    """A JSON reply that must validate against ``schemas/control/<name>.json`` (checked when VALIDATE is on)."""
    g.response_schema = ("control", name)
    return jsonify(body), status


# what went wrong (``AdminError.kind``) -> the HTTP status that says so
STATUS = {"invalid": 400, "not_found": 404, "too_large": 413}


def failure(status: int, message: str, field: str | None = None) -> tuple[Response, int]:
    return reply("error", {"error": message, "field": field}, status)


def body(schema: str) -> dict[str, Any]:
    """The request's JSON body (bounded by ``json_body``), checked against ``schemas/control/<schema>.json``."""
    if (request.content_length or 0) > json_body.MAX_BYTES:
        raise AdminError(f"the body is larger than {json_body.MAX_BYTES} bytes", kind="too_large")
    # a body of unknown length (chunked) is read no further than one byte past the limit
    raw = request.get_data() if request.content_length is not None else request.stream.read(json_body.MAX_BYTES + 1)
    try:
        data: Any = json_body.parse(raw) if raw.strip() else {}
    except json_body.BodyError as exc:
        raise AdminError(exc.message, kind="too_large" if exc.status == 413 else "invalid") from None
    error = best_match(schemas.validator("control", schema).iter_errors(data))
    if error is not None:
        path = ".".join(str(p) for p in error.absolute_path)
        quoted = re.findall(r"'([^']+)'", error.message)
        if error.validator in ("required", "additionalProperties") and quoted:
            path = ".".join(p for p in (path, quoted[0]) if p)
        raise AdminError(_short(error.message), path or None)
    found: dict[str, Any] = data
    return found


def _short(message: str, limit: int = 300) -> str:
    """A schema message quotes the offending value, which may be megabytes long."""
    return message if len(message) <= limit else message[:limit] + "..."


@bp.before_request
def guard() -> tuple[Response, int] | None:
    """Cross-site rules (``control_guard``) first, then the token."""
    try:
        control_guard.check(request.method, request.host, request.headers.get("Origin"), request.mimetype,
                            control_guard.allowed_hosts(current_app.config.get("ALLOWED_HOSTS")))
    except control_guard.Refusal as exc:
        return failure(exc.status, exc.message, exc.field)
    return authorise()


def authorise() -> tuple[Response, int] | None:
    token = current_app.config.get("CONTROL_TOKEN")
    if token and not hmac.compare_digest(request.headers.get("Authorization", "").encode(),
                                         f"Bearer {token}".encode()):
        return failure(401, "the control API needs the header Authorization: Bearer <token>")
    return None


@bp.errorhandler(AdminError)
def refused(exc: AdminError) -> tuple[Response, int]:
    return failure(STATUS[exc.kind], exc.message, exc.field)


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def unrouted(exc: HTTPException) -> Any:
    """A path under /_mock/ that no route takes (``rentals/-1``, a wrong method) answers in the control
    error shape too; any other path keeps Flask's answer."""
    if request.path == "/_mock" or request.path.startswith("/_mock/"):
        return failure(exc.code or 404, exc.description or exc.name)
    return exc


@bp.errorhandler(Exception)
def crashed(exc: Exception) -> tuple[Response, int]:
    """HTTP errors keep their status; anything else is a JSON 500, logged without the account key
    (Flask's own log line would name the path, and so the key)."""
    if isinstance(exc, HTTPException):
        return failure(exc.code or 500, exc.description or exc.name)
    secret = str((request.view_args or {}).get("apikey", ""))
    text = "".join(traceback.format_exception(exc))
    log.error("control API: %s on %s %s\n%s", type(exc).__name__, request.method,
              control_guard.redacted(request.path, secret), control_guard.redacted(text, secret))
    return failure(500, f"internal error ({type(exc).__name__}); the server log has the details")


# -- reset and clock ----------------------------------------------------------------------------------

def clock_view(state: clock.ClockState, now: int) -> dict[str, Any]:
    scale = {"frozen": 0.0, "real": 1.0}.get(state.mode, state.scale)
    return {"now": now, "mode": state.mode, "scale": scale}


def _start_clock() -> clock.ClockState:
    """The clock a reset starts: as configured (mode, start time), else the current one."""
    config, current = current_app.config, world().clock_state()
    mode = config.get("CLOCK") or current.mode
    start = config.get("START_TIME")
    scale = float(config.get("TIME_SCALE") or 1.0) if config.get("CLOCK") else current.scale
    return clock.initial(mode, start=current.now() if start is None else start, scale=scale if scale > 0 else 1.0)


@bp.post("/reset")
def reset() -> tuple[Response, int]:
    # resets, catalog edits and state transfers are rare: their modules load on first use, not in every worker
    from sms_rent_mock.fixtures.scenarios import SCENARIOS

    from .domain import snapshot

    data = body("reset.request")
    seed = int(data.get("seed", current_app.config["SEED"]))
    scenario, apikey = data.get("scenario", "fresh"), data.get("apikey", snapshot.DEFAULT_KEY)
    faults.delete(world())
    journal.journal().clear()
    snapshot.reset(world(), faults.runtime().base, seed=seed, clock_state=_start_clock(), scenarios=SCENARIOS,
                   scenario=scenario, apikey=apikey)
    return reply("reset.response", {"seed": seed, "scenario": scenario,
                                    "clock": clock_view(world().clock_state(), world().now()),
                                    "account": admin.account_view(world(), apikey)})


@bp.get("/clock")
def get_clock() -> tuple[Response, int]:
    return reply("clock.response", clock_view(world().clock_state(), world().now()))


@bp.post("/clock")
def post_clock() -> tuple[Response, int]:
    data = body("clock.request")

    def change(state: clock.ClockState) -> clock.ClockState:
        steps = [("advance", lambda s: clock.advanced(s, data["advance"])),
                 ("set", lambda s: clock.set_to(s, data["set"])),
                 ("scale" if "scale" in data else "mode",
                  lambda s: clock.switched(s, data.get("mode", "scaled"), data.get("scale")))]
        for field, step in steps:
            if field in data:
                try:
                    state = step(state)
                except ValueError as exc:
                    raise AdminError(str(exc), field) from None
        return state

    state = world().change_clock(change)
    return reply("clock.response", clock_view(state, world().now()))


# -- accounts, stock, catalog, rentals, SMS ------------------------------------------------------------

def _key(apikey: str) -> str:
    """The key in ``/_mock/accounts/<key>``: 1..MAX_KEY printable characters, not only blanks."""
    if not apikey.strip() or len(apikey) > MAX_KEY or not apikey.isprintable():
        raise AdminError(f"an API key is 1 to {MAX_KEY} printable characters, not only blanks", "apikey")
    return apikey


def _row_id(value: int, what: str) -> int:
    """An id from the path: one beyond SQLite's INTEGER names nothing (404), rather than overflowing."""
    if value > MAX_ROW_ID:
        raise AdminError(f"no {what} {str(value)[:30]}", "id", kind="not_found")
    return value


def _account(apikey: str) -> dict[str, Any]:
    found = admin.account_view(world(), _key(apikey))
    if found is None:
        raise AdminError(f"no account {apikey!r} (PUT creates one)", "apikey", kind="not_found")
    return found


@bp.get("/accounts/<path:apikey>")
def get_account(apikey: str) -> tuple[Response, int]:
    return reply("account.response", _account(apikey))


@bp.put("/accounts/<path:apikey>")
def put_account(apikey: str) -> tuple[Response, int]:
    data = body("account.request")
    created = admin.put_account(
        world(), _key(apikey), balance=None if data.get("balance") is None else Decimal(str(data["balance"])),
        max_concurrent=data.get("max_concurrent", admin.KEEP), blocked=data.get("blocked"),
        restriction=data.get("restriction", admin.KEEP))
    return reply("account.response", _account(apikey), 201 if created else 200)


def _stock_rows(rows: list[Any]) -> dict[str, Any]:
    return {"stock": [{"provider": r.provider, "country": r.country, "service": r.service, "period": r.period,
                       "operator": r.operator, "count": r.count} for r in rows]}


def _country(provider: str, country: str | int) -> str:
    """The provider's own country identifier (OnlineSim's code, SMSPVA's letters) as the internal letters."""
    try:
        return world().catalog().resolve_country(provider, country)
    except errors.UnknownCountry as exc:
        raise AdminError(str(exc), "country") from None


@bp.get("/stock")
def get_stock() -> tuple[Response, int]:
    provider = request.args.get("provider", "")
    if provider not in providers.NAMES:
        raise AdminError(f"provider must be one of {', '.join(providers.NAMES)}", "provider")
    country = request.args.get("country") or None
    if country is not None and len(country) > 8:
        raise AdminError("country is a code or two letters", "country")
    return reply("stock.response", _stock_rows(world().stock(provider, country and _country(provider, country))))


@bp.put("/stock")
def put_stock() -> tuple[Response, int]:
    data = body("stock.request")
    rows = admin.set_stock(world(), data["provider"], _country(data["provider"], data["country"]), data["count"],
                           service=data.get("service"),
                           period=data.get("period"), operator=data.get("operator"))
    return reply("stock.response", _stock_rows(rows))


@bp.get("/catalog")
def get_catalog() -> tuple[Response, int]:
    return reply("catalog.response", world().catalog().data)


@bp.patch("/catalog")
def patch_catalog() -> tuple[Response, int]:
    from .domain import catalog_edit

    data = body("catalog.request")
    for part in (data.get("add"), data.get("remove")):
        if isinstance(part, dict) and isinstance(part.get("country"), int):
            part["country"] = str(part["country"])  # OnlineSim's code as a JSON number
    return reply("catalog.response", catalog_edit.patch_catalog(world(), data["provider"], add=data.get("add"),
                                                         remove=data.get("remove")))


@bp.get("/rentals/<int:rental_id>")
def get_rental(rental_id: int) -> tuple[Response, int]:
    return reply("rental.response", admin.rental(world(), _row_id(rental_id, "rental")))


@bp.patch("/rentals/<int:rental_id>")
def patch_rental(rental_id: int) -> tuple[Response, int]:
    data = body("rental.request")
    admin.patch_rental(world(), _row_id(rental_id, "rental"), frozen=data.get("frozen"), gone=data.get("gone"))
    return reply("rental.response", admin.rental(world(), rental_id))


@bp.post("/sms")
def post_sms() -> tuple[Response, int]:
    data = body("sms.request")
    return reply("sms.response", admin.deliver_sms(world(), data["number"].lstrip("+"), data["text"],
                                                   sender=data.get("sender", ""), service=data.get("service", ""),
                                                   code=data.get("code")))


# -- settings, faults, journal, state ----------------------------------------------------------------

def _settings() -> dict[str, Any]:
    return {"settings": admin.settings_view(world().settings),
            "overrides": admin.settings_overrides(world())}


@bp.get("/settings")
def get_settings() -> tuple[Response, int]:
    faults.runtime().refresh()
    return reply("settings.response", _settings())


@bp.patch("/settings")
def patch_settings() -> tuple[Response, int]:
    admin.put_settings(world(), faults.runtime().base, body("settings.request"))
    return reply("settings.response", _settings())


@bp.post("/faults")
def post_fault() -> tuple[Response, int]:
    rule = faults.add(world(), body("fault.request"))
    return reply("fault.response", rule.view(), 201)


@bp.get("/faults")
def get_faults() -> tuple[Response, int]:
    return reply("faults.response", {"faults": [r.view() for r in faults.rules(world())]})


@bp.delete("/faults")
def delete_faults() -> tuple[Response, int]:
    return reply("deleted.response", {"deleted": faults.delete(world())})


@bp.delete("/faults/<int:rule_id>")
def delete_fault(rule_id: int) -> tuple[Response, int]:
    deleted = faults.delete(world(), _row_id(rule_id, "fault rule"))
    if not deleted:
        raise AdminError(f"no fault rule {rule_id}", "id", kind="not_found")
    return reply("deleted.response", {"deleted": deleted})


@bp.get("/requests")
def get_requests() -> tuple[Response, int]:
    size = max(1, int(current_app.config["JOURNAL_SIZE"]))
    raw = request.args.get("limit", "100")
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
        raise AdminError("limit must be a whole number >= 1", "limit")
    found = journal.journal().entries(provider=request.args.get("provider") or None,
                            method=request.args.get("method") or None, limit=min(int(raw), size))
    return reply("requests.response", {"requests": found})


@bp.delete("/requests")
def delete_requests() -> tuple[Response, int]:
    return reply("deleted.response", {"deleted": journal.journal().clear()})


@bp.get("/state")
def get_state() -> tuple[Response, int]:
    from .domain import snapshot

    return reply("state", snapshot.export_state(world(), extra_tables=STATE_EXTRA))


@bp.put("/state")
def put_state() -> tuple[Response, int]:
    from .domain import snapshot

    data = body("state")
    snapshot.import_state(world(), faults.runtime().base, data, extra_tables=STATE_EXTRA,
                          row_checks={"fault_rules": faults.check_row})
    return reply("state", snapshot.export_state(world(), extra_tables=STATE_EXTRA))



# -- the OpenAPI document -----------------------------------------------------------------------------

@bp.get("/openapi.json")
def openapi() -> Response | tuple[Response, int]:
    """OpenAPI 3.1 for both providers, generated from ``schemas/`` (``?profile=documented`` for the other profile)."""
    from sms_rent_mock.schemas.openapi import document

    profile = request.args.get("profile", current_app.config["PROFILE"])
    if profile not in schemas.PROFILES:
        return failure(400, f"profile must be one of {', '.join(schemas.PROFILES)}", "profile")
    return jsonify(document(profile=profile))
