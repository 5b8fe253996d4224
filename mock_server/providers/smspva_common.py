"""What every SMSPVA handler shares: the provider name, the success reply, period parsing, the order
state codes and catalog look-ups. Kept apart from ``smspva.py`` so the handler modules can import it
without importing the dialect module."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..exchange import Reply

from sms_rent_mock.schemas.dialects import SMSPVA

from ..domain import Catalog, LineState, Rental, World, errors
from . import wire
from .dialect import Refusal as Refusal  # the handler modules raise it

PROVIDER = SMSPVA.name

# dtype -> days per unit; "day" is only meaningful for prolong_max (the request schemas enforce that)
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}

# the `state` code an order shows for each line state of its number
STATE_CODES = {LineState.OFFLINE: 0, LineState.ACTIVATING: 2, LineState.ONLINE: 1, LineState.GONE: -1}


# msg texts the dialect decides itself (not tied to a domain error); the route-level ones are the
# wire dialect's ``codes`` (schemas/dialects.py)
TEXTS = {
    "unknown_method": SMSPVA.codes.unknown_method,
    "not_get": SMSPVA.codes.wrong_verb,
    "bad_parameters": SMSPVA.codes.bad_params,
    "wrong_number": "Incorrect pnumber",
    "short_period": "The minimum rental period for this service is {days} days",
}


def ok(method: str, data: Any = None, *, with_data: bool = True) -> Reply:
    """``{"status": 1, "data": ...}`` checked against the method's response schema in the active profile."""
    body: dict[str, Any] = {"status": 1, "data": data} if with_data else {"status": 1}
    return wire.reply(PROVIDER, wire.schema_for(PROVIDER, method), body)


def documented() -> bool:
    return wire.profile() == "documented"


def days_of(values: dict[str, str], *, default_type: str = "week", default_count: int = 1) -> int:
    """Rental days from ``dtype`` x ``dcount`` (week = 7 days, month = 30 days, day = 1 day)."""
    dtype = values.get("dtype", "").strip() or default_type
    dcount = values.get("dcount", "").strip()
    return PERIOD_DAYS[dtype] * (int(dcount) if dcount else default_count)


def iso(values: dict[str, str]) -> str:
    return values["country"].strip().upper()


def service_list(raw: str) -> tuple[str, ...]:
    """``"opt6, opt7,opt6"`` -> ``("opt6", "opt7")``: order kept, repeats dropped."""
    return tuple(dict.fromkeys(s.strip() for s in raw.split(",") if s.strip()))


def market(catalog: Catalog) -> dict[str, Any]:
    found: dict[str, Any] = catalog.data.get(PROVIDER, {})
    return found


def market_country(world: World, code: str) -> dict[str, Any]:
    """The SMSPVA catalog entry of one country; an unknown code is ``UnknownCountry``."""
    entry = market(world.catalog()).get("countries", {}).get(code)
    if entry is None:
        raise errors.UnknownCountry()
    found: dict[str, Any] = entry
    return found


def service_info(catalog: Catalog, code: str) -> dict[str, Any]:
    found: dict[str, Any] = market(catalog).get("services", {}).get(code, {})
    return found


def service_names(catalog: Catalog, codes: tuple[str, ...]) -> str:
    return ", ".join(service_info(catalog, c).get("name", c) for c in codes)


def order_state(rental: Rental, now: int) -> int:
    return STATE_CODES[rental.line_state(now)]


def number(value: str) -> str:
    """A phone number as digits only (clients may add ``+``)."""
    return value.strip().lstrip("+")


def money(amount: Any) -> float:
    """A Decimal price as a JSON number (``2.4``, not ``"2.40"``)."""
    return float(amount)


def price_text(amount: Any) -> str:
    """Prices some methods send as strings: ``"3.5"``, ``"12"``."""
    return format(Decimal(amount).normalize(), "f")
