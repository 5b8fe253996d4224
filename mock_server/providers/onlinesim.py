"""OnlineSim dialect: ``/api/rent/<method>.php`` and ``/api/getBalance.php`` (routes, envelope and method
table: ``sms_rent_mock.schemas.dialects.ONLINESIM``; dispatch: ``dialect.ServerDialect``).

Parses parameters (checked against ``schemas/onlinesim/*.request.json``), calls the World, and renders
OnlineSim's envelope: ``{"response": 1, ...}`` on success, ``{"response": "<CODE>"}`` (HTTP 200) on error.
"""

from __future__ import annotations

import time
import weakref
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sms_rent_mock.schemas.dialects import ONLINESIM

from ..domain import Catalog, CloseReason, Rental, RentRequest, Settings, View, World, errors, paginate
from ..domain.rentals import DAY
from ..exchange import Reply
from . import wire
from .dialect import Handler, ServerDialect

PROVIDER = ONLINESIM.name

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
    errors.ServiceAlreadyOnOrder: "ERROR_PARAMS",  # OnlineSim has no call that adds a service
}
# closing something that has already ended "cannot be completed" rather than "expired"
METHOD_ERROR_CODES = {("closeRentNum", errors.RentalEnded): "NO_COMPLETE_TZID"}


@lru_cache(maxsize=8192)  # every poll shows the same SMS and rentals again
def _when(ts: int, offset_minutes: int) -> str:
    """OnlineSim writes wall-clock times without a zone; ``onlinesim_utc_offset`` says which (Moscow by default)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts + offset_minutes * 60))


def _extend_map(settings: Settings, rental: Rental, prices: dict[str, int]) -> dict[str, int] | list[Any]:
    """The extension price map; ``[]`` instead for a rental without auto-renewal when the setting asks for the
    form the live API is reported to send (a Rust client's notes; an old Go client types it as an array)."""
    if settings.onlinesim_extend_off_list and not rental.auto_renew:
        return []
    return dict(prices)


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


def _codes(catalog: Catalog) -> dict[str, str]:
    """OnlineSim country code (as text) -> ISO letters."""
    return {code: entry["iso"] for code, entry in catalog.data.get(PROVIDER, {}).get("countries", {}).items()}


class _Tariffs:
    """What every rent item repeats from one catalog: country codes, and per country its extension prices
    and day price (made once per catalog revision: a catalog never changes once built)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.iso_of = _codes(catalog)
        self.code_of = {iso: int(code) for code, iso in self.iso_of.items()}
        self._countries: dict[str, tuple[dict[str, int], int]] = {}

    def of(self, iso: str) -> tuple[dict[str, int], int]:
        """(extension price map, day price) of a country."""
        found = self._countries.get(iso)
        if found is None:
            offer = self.catalog.offer(PROVIDER, iso)
            found = self._countries[iso] = ({str(d): int(p) for d, p in offer.extension_prices().items()},
                                            int(offer.day_price))
        return found


_TARIFFS: weakref.WeakKeyDictionary[Catalog, _Tariffs] = weakref.WeakKeyDictionary()


def _tariffs(catalog: Catalog) -> _Tariffs:
    found = _TARIFFS.get(catalog)
    if found is None:
        found = _TARIFFS[catalog] = _Tariffs(catalog)
    return found


def render(v: View, found: list[Rental], *, pages: bool, page: str = "") -> list[dict[str, Any]]:
    """The 18-field rent items, all from one view: countdowns from its `now`, messages from its snapshot.
    ``page`` is the request's, already checked against the method's request schema."""
    now, zone, settings = v.now, v.settings.onlinesim_utc_offset, v.settings
    tariffs = _tariffs(v.catalog)
    # read in this view, a rental with no SMS by its `now` (not confirmed) has none to list: not asked for
    inboxes = v.messages_of([rental for rental in found if rental.confirmed])
    page_no = max(1, int(page.strip() or 1)) if pages else 1
    items = []
    for rental in found:
        extend, day_price = tariffs.of(rental.country)
        messages = [{"id": m.id, "service": m.service, "text": m.text, "code": m.code, "created_at": _when(m.at, zone)}
                    for m in inboxes.get(rental.id, ())]
        left = rental.seconds_left(now)
        item: dict[str, Any] = {
            "tzid": rental.id, "status": int(rental.confirmed), "checked": rental.confirmed,
            "checked_time": _when(rental.first_sms_at or rental.created_at, zone), "extension": int(rental.auto_renew),
            "country": tariffs.code_of.get(rental.country, 0), "number": rental.phone, "sum": f"{rental.paid:.2f}",
            "rent": rental.days, "days": left // DAY, "hours": left // 3600, "time": left // 60,
            "extend": _extend_map(settings, rental, extend), "day_extend": day_price,
            "reload": rental.reload_wait(now, settings.reload_cooldown),
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
    return int(values["tzid"].strip())  # str.strip: \s in a schema pattern is wider than int()'s


def get_rent_num(world: World, values: dict[str, str]) -> Reply:
    iso = _tariffs(world.catalog()).iso_of.get(values["country"].strip())
    if iso is None:
        raise errors.UnknownCountry()
    days, renew = int(values["days"].strip()), _flag(values.get("extension"), default=True)
    with world.renting(values["apikey"], RentRequest(
            PROVIDER, iso, days, period=days, auto_renew=renew, guarded=True,
            fingerprint=f"{PROVIDER}:{iso}:{days}:{int(renew)}")) as (rental, v):
        [item] = render(v, [rental], pages=_wants_pages(values, default=True), page=values.get("page", ""))
    return wire.reply(PROVIDER, "getRentNum.response", {"response": 1, "item": item})


def get_rent_state(world: World, values: dict[str, str]) -> Reply:
    pages = _wants_pages(values, default=False)
    with world.view(values["apikey"]) as v:
        if values.get("tzid"):
            try:
                found = [v.rental(_tzid(values), PROVIDER)]
            except (errors.RentalNotFound, errors.NotOwner):
                found = []
            rentals = [r for r in found if r.is_open]
        else:
            rentals = v.open_rentals(PROVIDER)
        items = render(v, rentals, pages=pages, page=values.get("page", ""))
    return wire.reply(PROVIDER, "getRentState.response", {"response": 1, "list": items})


def extend_rent_state(world: World, values: dict[str, str]) -> Reply:
    rental = world.extend(values["apikey"], _tzid(values), PROVIDER, int(values["days"].strip()), windowed=False)
    with world.view() as v:
        [item] = render(v, [rental], pages=_wants_pages(values, default=values.get("via") == "operation_id"),
                       page=values.get("page", ""))
    body: dict[str, Any] = {"response": 1, "item": item}
    if wire.profile() == "live":
        body["list"] = [item]  # pyonlinesim reads list[0]
    return wire.reply(PROVIDER, wire.schema_for(PROVIDER, "extendRentState"), body)


def port_reload(world: World, values: dict[str, str]) -> Reply:
    world.reload_port(values["apikey"], _tzid(values), PROVIDER)
    return wire.reply(PROVIDER, "portReload.response", {"response": 1})


def port_unfreeze(world: World, values: dict[str, str]) -> Reply:
    world.unfreeze(values["apikey"], _tzid(values), PROVIDER)
    return wire.reply(PROVIDER, "portUnFreeze.response", {"response": 1})


def close_rent_num(world: World, values: dict[str, str]) -> Reply:
    rental = world.close(values["apikey"], _tzid(values), PROVIDER, reason=CloseReason.CLOSED)
    body: dict[str, Any] = {"response": 1, "tzid": rental.id} if wire.profile() == "live" else {"response": True}
    return wire.reply(PROVIDER, wire.schema_for(PROVIDER, "closeRentNum"), body)


def _tariff(catalog: Catalog, code: str, entry: dict[str, Any], counts: dict[tuple[str, int], int]) -> dict[str, Any]:
    country = catalog.country(entry["iso"])
    return {"code": int(code), "enabled": True, "name": country.name, "new": bool(entry.get("new", False)),
            "position": int(entry.get("position", 0)),
            "count": {d: counts.get((entry["iso"], int(d)), 0) for d in entry["periods"]},
            "days": {d: int(Decimal(str(p))) for d, p in entry["periods"].items()},
            "extend": int(Decimal(str(entry["extend_day"]))), "confirm": True}


def tariffs_rent(world: World, values: dict[str, str]) -> Reply:
    with world.view(values["apikey"]) as v:
        catalog, counts = v.catalog, {(row.country, row.period): row.count for row in v.stock(PROVIDER)}
    market = catalog.data.get(PROVIDER, {}).get("countries", {})
    wanted = values.get("country", "").strip()
    if wanted:
        body: Any = _tariff(catalog, wanted, market[wanted], counts) if wanted in market else []
    else:
        body = {code: _tariff(catalog, code, entry, counts) for code, entry in market.items()} or []
    return wire.reply(PROVIDER, "tariffsRent.response", body)


def get_balance(world: World, values: dict[str, str]) -> Reply:
    with world.view(values["apikey"]) as v:
        account, frozen = v.account, v.frozen_balance(PROVIDER)
    assert account is not None
    if wire.profile() == "live":
        body: dict[str, Any] = {"response": 1, "balance": _whole(account.balance), "zbalance": _whole(frozen),
                                "income": 0}
    else:
        body = {"response": 1, "balance": f"{account.balance:.2f}", "zbalance": _whole(frozen)}
    return wire.reply(PROVIDER, wire.schema_for(PROVIDER, "getBalance"), body)


# wire name -> handler (paths and which methods are read-only are the wire dialect's table)
METHODS: dict[str, Handler] = {
    "getRentNum": get_rent_num, "getRentState": get_rent_state, "extendRentState": extend_rent_state,
    "portReload": port_reload, "portUnFreeze": port_unfreeze, "closeRentNum": close_rent_num,
    "tariffsRent": tariffs_rent, "getBalance": get_balance,
}


def code_for(world: World, method: str, exc: errors.RentalError) -> str:
    """The code for a domain refusal of ``method``."""
    return METHOD_ERROR_CODES.get((method, type(exc))) or ERROR_CODES.get(type(exc), ONLINESIM.codes.bad_params)


def _operation_id(values: dict[str, str]) -> None:
    """``operation_id`` is another name for ``tzid`` (remembered: it asks for paginated messages)."""
    if not values.get("tzid") and values.get("operation_id"):
        values["tzid"], values["via"] = values["operation_id"], "operation_id"


DIALECT = ServerDialect(ONLINESIM, METHODS, code_for, prepare=_operation_id)
