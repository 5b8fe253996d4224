"""OnlineSim dialect: ``/api/rent/<method>.php`` and ``/api/getBalance.php``.

Parses parameters (checked against ``schemas/onlinesim/*.request.json``), calls the World, and renders
OnlineSim's envelope: ``{"response": 1, ...}`` on success, ``{"response": "<CODE>"}`` (HTTP 200) on error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, request

from ..domain import CloseReason, Rental, RentRequest, World, errors, paginate
from ..domain.rentals import DAY
from . import wire

PROVIDER = "onlinesim"
bp = Blueprint(PROVIDER, __name__)
ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

ERROR_CODES: dict[type[errors.RentalError], str] = {
    errors.MissingKey: "ERROR_NO_KEY",
    errors.UnknownKey: "ERROR_WRONG_KEY",
    errors.AccountBlocked: "ACCOUNT_BLOCKED",
    errors.ApiAccessDisabled: "API_ACCESS_DISABLED",
    errors.IpNotAllowed: "API_ACCESS_IP",
    errors.IdentificationRequired: "ACCOUNT_IDENTIFICATION_REQUIRED",
    errors.InsufficientBalance: "WARNING_LOW_BALANCE",
    errors.OutOfStock: "NO_NUMBER",
    errors.TooManyRentals: "EXCEEDED_CONCURRENT_OPERATIONS",
    errors.RateLimited: "INTERVAL_CONCURRENT_REQUESTS_ERROR",
    errors.DuplicateOperation: "DUPLICATE_OPERATION",
    errors.TryAgainLater: "TRY_AGAIN_LATER",
    errors.ReloadNotAvailable: "TRY_AGAIN_LATER",
    errors.UnknownCountry: "UNDEFINED_COUNTRY",
    errors.InvalidPeriod: "UNDEFINED_DAYS",
    errors.RentalNotFound: "ERROR_WRONG_TZID",
    errors.NotOwner: "ERROR_WRONG_TZID",
    errors.RentalEnded: "LIFICYCLE_NUM_EXPIRED",
    errors.NeedsExtension: "NEED_EXTENSION_NUMBER",
    errors.NumberGone: "NO_COMPLETE_TZID",
}
# closing something that has already ended "cannot be completed" rather than "expired"
METHOD_ERROR_CODES = {("closeRentNum", errors.RentalEnded): "NO_COMPLETE_TZID"}


def error(code: str) -> Response:
    return wire.reply(PROVIDER, "error", {"response": code})


def _when(ts: int, offset_minutes: int) -> str:
    """OnlineSim writes wall-clock times without a zone; ``onlinesim_utc_offset`` says which (Moscow by default)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts + offset_minutes * 60))


def _extend_map(world: World, rental: Rental, prices: dict[int, Any]) -> dict[str, int] | list[Any]:
    """The extension price map; ``[]`` instead for a rental without auto-renewal when the setting asks for the
    form the live API is reported to send (a Rust client's notes; an old Go client types it as an array)."""
    if world.settings.onlinesim_extend_off_list and not rental.auto_renew:
        return []
    return {str(d): int(p) for d, p in prices.items()}


def _whole(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _wants_pages(values: dict[str, str], *, default: bool) -> bool:
    raw = values.get("pagination")
    if raw in ("True", "False"):  # pyonlinesim sends str(bool) and parses only the pagination object
        return True
    return _flag(raw, default=default)


def _codes(world: World) -> dict[str, str]:
    """OnlineSim country code (as text) -> ISO letters."""
    return {code: entry["iso"] for code, entry in world.catalog().data.get(PROVIDER, {}).get("countries", {}).items()}


def render(world: World, found: list[Rental], *, pages: bool) -> list[dict[str, Any]]:
    """The 18-field rent items; countdowns are derived from `now`, shared lookups done once per call."""
    now, catalog, zone = world.now(), world.catalog(), world.settings.onlinesim_utc_offset
    code_of = {iso: int(code) for code, iso in _codes(world).items()}
    inboxes = world.messages_of(found)
    page_no = max(1, int(request.values.get("page", "1") or 1)) if pages else 1
    items = []
    for rental in found:
        offer = catalog.offer(PROVIDER, rental.country)
        messages = [{"id": m.id, "service": m.service, "text": m.text, "code": m.code, "created_at": _when(m.at, zone)}
                    for m in inboxes[rental.id]]
        left = rental.seconds_left(now)
        item: dict[str, Any] = {
            "tzid": rental.id, "status": int(rental.confirmed), "checked": rental.confirmed,
            "checked_time": _when(rental.first_sms_at or rental.created_at, zone), "extension": int(rental.auto_renew),
            "country": code_of.get(rental.country, 0), "number": rental.phone, "sum": f"{rental.paid:.2f}",
            "rent": rental.days, "days": left // DAY, "hours": left // 3600, "time": left // 60,
            "extend": _extend_map(world, rental, offer.extension_prices()),
            "day_extend": int(offer.day_price), "reload": rental.reload_wait(now, world.settings.reload_cooldown),
            "m_ext": True, "freeze": rental.frozen, "messages": messages,
        }
        if pages:
            page = paginate(messages, page=page_no)
            item["messages"] = {"current_page": page.current_page, "data": page.data, "from": page.first,
                                "last_page": page.last_page, "per_page": page.per_page, "to": page.last,
                                "total": page.total}
        items.append(item)
    return items


def _tzid(values: dict[str, str]) -> int:
    return int(values["tzid"])


def get_rent_num(world: World, values: dict[str, str]) -> Response:
    iso = _codes(world).get(values["country"].strip())
    if iso is None:
        raise errors.UnknownCountry()
    days, renew = int(values["days"]), _flag(values.get("extension"), default=True)
    rental = world.rent(values["apikey"], RentRequest(
        PROVIDER, iso, days, period=days, auto_renew=renew, guarded=True,
        fingerprint=f"{PROVIDER}:{iso}:{days}:{int(renew)}"))
    [item] = render(world, [rental], pages=_wants_pages(values, default=True))
    return wire.reply(PROVIDER, "getRentNum.response", {"response": 1, "item": item})


def get_rent_state(world: World, values: dict[str, str]) -> Response:
    apikey, pages = values["apikey"], _wants_pages(values, default=False)
    if values.get("tzid"):
        try:
            found = [world.rental(apikey, _tzid(values), PROVIDER)]
        except (errors.RentalNotFound, errors.NotOwner):
            found = []
        rentals = [r for r in found if r.is_open]
    else:
        rentals = world.open_rentals(apikey, PROVIDER)
    return wire.reply(PROVIDER, "getRentState.response",
                      {"response": 1, "list": render(world, rentals, pages=pages)})


def extend_rent_state(world: World, values: dict[str, str]) -> Response:
    rental = world.extend(values["apikey"], _tzid(values), PROVIDER, int(values["days"]), windowed=False)
    [item] = render(world, [rental], pages=_wants_pages(values, default=values.get("via") == "operation_id"))
    body: dict[str, Any] = {"response": 1, "item": item}
    if wire.profile() == "live":
        body["list"] = [item]  # pyonlinesim reads list[0]
    return wire.reply(PROVIDER, wire.schema_for(PROVIDER, "extendRentState"), body)


def port_reload(world: World, values: dict[str, str]) -> Response:
    world.reload_port(values["apikey"], _tzid(values), PROVIDER)
    return wire.reply(PROVIDER, "portReload.response", {"response": 1})


def port_unfreeze(world: World, values: dict[str, str]) -> Response:
    world.unfreeze(values["apikey"], _tzid(values), PROVIDER)
    return wire.reply(PROVIDER, "portUnFreeze.response", {"response": 1})


def close_rent_num(world: World, values: dict[str, str]) -> Response:
    rental = world.close(values["apikey"], _tzid(values), PROVIDER, reason=CloseReason.CLOSED)
    body: dict[str, Any] = {"response": 1, "tzid": rental.id} if wire.profile() == "live" else {"response": True}
    return wire.reply(PROVIDER, wire.schema_for(PROVIDER, "closeRentNum"), body)


def _tariff(world: World, code: str, entry: dict[str, Any], counts: dict[tuple[str, int], int]) -> dict[str, Any]:
    country = world.catalog().country(entry["iso"])
    return {"code": int(code), "enabled": True, "name": country.name, "new": bool(entry.get("new", False)),
            "position": int(entry.get("position", 0)),
            "count": {d: counts.get((entry["iso"], int(d)), 0) for d in entry["periods"]},
            "days": {d: int(Decimal(str(p))) for d, p in entry["periods"].items()},
            "extend": int(Decimal(str(entry["extend_day"]))), "confirm": True}


def tariffs_rent(world: World, values: dict[str, str]) -> Response:
    world.account(values["apikey"])
    market = world.catalog().data.get(PROVIDER, {}).get("countries", {})
    counts = {(row.country, row.period): row.count for row in world.stock(PROVIDER)}
    wanted = values.get("country", "").strip()
    if wanted:
        body: Any = _tariff(world, wanted, market[wanted], counts) if wanted in market else []
    else:
        body = {code: _tariff(world, code, entry, counts) for code, entry in market.items()} or []
    return wire.reply(PROVIDER, "tariffsRent.response", body)


def get_balance(world: World, values: dict[str, str]) -> Response:
    account = world.account(values["apikey"])
    frozen = world.frozen_balance(account.apikey)
    if wire.profile() == "live":
        body: dict[str, Any] = {"response": 1, "balance": _whole(account.balance), "zbalance": _whole(frozen),
                                "income": 0}
    else:
        body = {"response": 1, "balance": f"{account.balance:.2f}", "zbalance": _whole(frozen)}
    return wire.reply(PROVIDER, wire.schema_for(PROVIDER, "getBalance"), body)


Handler = Callable[[World, dict[str, str]], Response]
RENT_METHODS: dict[str, Handler] = {
    "getRentNum": get_rent_num, "getRentState": get_rent_state, "extendRentState": extend_rent_state,
    "portReload": port_reload, "portUnFreeze": port_unfreeze, "closeRentNum": close_rent_num,
    "tariffsRent": tariffs_rent,
}
ACCOUNT_METHODS: dict[str, Handler] = {"getBalance": get_balance}
READ_ONLY = frozenset({"getRentState", "tariffsRent", "getBalance"})


def _dispatch(name: str, table: dict[str, Handler]) -> Response:
    method = name.removesuffix(".php")
    if method not in table or request.method not in ("GET", "POST"):
        return error("REQUEST_NOT_FOUND")
    values = wire.params()
    if method in READ_ONLY:
        return wire.memoized(method, values, lambda: _answer(method, table[method], values))
    return _answer(method, table[method], values)


def _answer(method: str, handler: Handler, values: dict[str, str]) -> Response:
    if not values.get("tzid") and values.get("operation_id"):
        values["tzid"], values["via"] = values["operation_id"], "operation_id"
    found = wire.problem(PROVIDER, method, values, fallback="ERROR_PARAMS")
    if found is not None:
        return error(found[1])
    try:
        return handler(wire.world(), values)
    except errors.RentalError as exc:
        return error(METHOD_ERROR_CODES.get((method, type(exc))) or ERROR_CODES.get(type(exc), "ERROR_PARAMS"))


@bp.route("/api/rent/<name>", methods=ANY_METHOD)
def rent_api(name: str) -> Response:
    return _dispatch(name, RENT_METHODS)


@bp.route("/api/<name>", methods=ANY_METHOD)
def account_api(name: str) -> Response:
    return _dispatch(name, ACCOUNT_METHODS)
