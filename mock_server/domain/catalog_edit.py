"""Catalog edits for the control API: add or remove a country or a service of one provider's market.

The new catalog is priced offer by offer before it is stored, so a malformed entry is refused here
(``AdminError``) rather than failing a later provider call. Stock rows follow the catalog.
``check_catalog`` is that check for a whole catalog (an edit's result, or an imported state's).
"""

from __future__ import annotations

import copy
import math
import re
from decimal import Decimal
from typing import Any

from .admin import AdminError
from .catalog import PERIODS, PRICINGS, Catalog
from .catalog import money as money_of
from .errors import RentalError
from .ports import Tx
from .world import World


def patch_catalog(world: World, provider: str, *, add: dict[str, Any] | None = None,
                  remove: dict[str, Any] | None = None) -> dict[str, Any]:
    """Add or remove a country or a service of one provider's market; returns the new catalog data."""
    with world.unit_of_work() as (tx, _now):
        data = copy.deepcopy(dict(world.catalog(tx).data))
        market = data.setdefault(provider, {})
        if remove is not None:
            _remove(tx, data, market, provider, remove)
        if add is not None:
            try:
                _bounded(add, "add")
                _add(tx, data, market, provider, add)
            except (ValueError, TypeError, AttributeError) as exc:
                raise AdminError(f"the catalog would be invalid: {exc}", "add") from None
        try:
            check_catalog(data)
        except ValueError as exc:
            raise AdminError(f"the catalog would be invalid: {exc}", "add") from None
        tx.meta.put_catalog(data)
        return data


MAX_PRICE = Decimal(1_000_000)   # per period or per day; keeps every charge far inside SQLite INTEGER
MAX_COUNT = 1_000_000            # free numbers in one stock row, as PUT /_mock/stock allows
MAX_NUMBER = 1_000_000_000       # any other number in the catalog (positions, discount days)
MAX_DAYS = 3650
MAX_TEXT = 1000


def check_catalog(data: Any) -> None:
    """Refuse (ValueError) catalog data any provider call would choke on: every number finite and in
    bounds, every price a number within MAX_PRICE, every offer priced once, stock counts whole numbers."""
    if not isinstance(data, dict):
        raise ValueError("the catalog must be an object")
    _bounded(data, "catalog")
    try:
        catalog = Catalog(data)
        for name, market in data.items():
            if isinstance(market, dict) and "pricing" in market and market["pricing"] not in PRICINGS:
                raise ValueError(f"{name}.pricing must be one of {', '.join(PRICINGS)}")
        for provider in catalog.markets():
            _check(catalog, provider)
    except (KeyError, TypeError, AttributeError, ArithmeticError, RentalError) as exc:
        raise ValueError(f"{type(exc).__name__}: {str(exc)[:200]}") from None


def _bounded(data: Any, where: str) -> None:
    """Every number in ``data`` finite and within 0..MAX_NUMBER, every text within MAX_TEXT characters."""
    todo = [(data, where)]
    while todo:
        item, path = todo.pop()
        if isinstance(item, dict):
            todo.extend((v, f"{path}.{k}") for k, v in item.items())
            if any(len(str(k)) > MAX_TEXT for k in item):
                raise ValueError(f"{path}: a name is longer than {MAX_TEXT} characters")
        elif isinstance(item, list):
            todo.extend((v, f"{path}.{i}") for i, v in enumerate(item))
        elif isinstance(item, str) and len(item) > MAX_TEXT:
            raise ValueError(f"{path[:200]} is longer than {MAX_TEXT} characters")
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            if not (math.isfinite(item) and 0 <= item <= MAX_NUMBER):
                raise ValueError(f"{path[:200]} must be a number from 0 to {MAX_NUMBER}")


def _price(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{where} must be a number")
    try:
        price = money_of(value)
    except ArithmeticError:
        raise ValueError(f"{where} must be a number") from None
    if not price.is_finite() or not 0 <= price <= MAX_PRICE:
        raise ValueError(f"{where} must be a price from 0 to {MAX_PRICE}")
    return price


def _whole(value: Any, where: str, low: int, high: int) -> int:
    """A whole number from catalog data (an int, an integral float, or digits as a string: JSON keys are text)."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"[0-9]{1,18}", value):
        number = int(value)
    if number is None or not low <= number <= high:
        raise ValueError(f"{where[:200]} must be a whole number from {low} to {high}")
    return number


def _check(catalog: Catalog, provider: str) -> None:
    """Price every offer of the market once, so a malformed entry fails here and not in a provider call."""
    list(catalog.initial_stock())
    market = catalog.data.get(provider, {})
    if not isinstance(market, dict):
        raise ValueError(f"{provider}: the market must be an object")
    if catalog.pricing(provider) == PERIODS:
        isos = [entry["iso"] for entry in market.get("countries", {}).values()]
        if len(set(isos)) != len(isos):
            raise ValueError(f"two {provider} countries with the same ISO letters")
        for days in market.get("extend_periods", ()):
            _whole(days, f"{provider}.extend_periods", 1, MAX_DAYS)
        for code, entry in market.get("countries", {}).items():
            _whole(code, f"{provider} country code {code!r}", 1, 9999)
            catalog.country(entry["iso"])
            for days, price in entry["periods"].items():
                _whole(days, f"{provider}.{code}.periods", 1, MAX_DAYS)
                _price(price, f"{provider}.{code}.periods.{days}")
            _price(entry["extend_day"], f"{provider}.{code}.extend_day")
            for period, count in entry.get("stock", {}).items():
                _whole(period, f"{provider}.{code}.stock", 0, MAX_DAYS)
                _whole(count, f"{provider}.{code}.stock.{period}", 0, MAX_COUNT)
        return
    discount = market.get("discount", {})
    _whole(discount.get("days", 0), f"{provider}.discount.days", 0, MAX_DAYS)
    _whole(discount.get("percent", 0), f"{provider}.discount.percent", 0, 100)
    for iso, entry in market.get("countries", {}).items():
        for service, offer in entry.get("services", {}).items():
            _price(offer.get("price_day"), f"{provider}.{iso}.{service}.price_day")
            for operator, count in offer.get("stock", {}).items():
                _whole(count, f"{provider}.{iso}.{service}.stock.{operator}", 0, MAX_COUNT)
            catalog.offer(provider, iso, service).price(7)


def _country_code(provider: str, market: dict[str, Any], country: str) -> str:
    """A ``periods`` market's key for a country given by its code or its letters."""
    entries = market.get("countries", {})
    if country in entries:
        return country
    found = next((code for code, entry in entries.items() if entry.get("iso") == country), None)
    if found is None:
        raise AdminError(f"{provider} offers no country {country!r}", "country", kind="not_found")
    return found


def _remove(tx: Tx, data: dict[str, Any], market: dict[str, Any], provider: str,
            what: dict[str, Any]) -> None:
    country, service = what.get("country"), what.get("service")
    countries = market.setdefault("countries", {})
    if market.get("pricing") == PERIODS:
        if service or not country:
            raise AdminError(f"{provider}'s market has countries only: give a country", "remove")
        iso = countries.pop(_country_code(provider, market, country))["iso"]
        tx.stock.delete(provider, iso)
    elif country and service:
        if service not in countries.get(country, {}).get("services", {}):
            raise AdminError(f"{country} offers no service {service!r}", "service", kind="not_found")
        del countries[country]["services"][service]
        tx.stock.delete(provider, country, service=service)
    elif country:
        if countries.pop(country, None) is None:
            raise AdminError(f"{provider} offers no country {country!r}", "country", kind="not_found")
        tx.stock.delete(provider, country)
    elif service:
        if market.get("services", {}).pop(service, None) is None:
            raise AdminError(f"{provider} has no service {service!r}", "service", kind="not_found")
        for entry in countries.values():
            entry.get("services", {}).pop(service, None)
        tx.stock.delete(provider, service=service)
    else:
        raise AdminError("give a country, a service, or both", "remove")


def _add(tx: Tx, data: dict[str, Any], market: dict[str, Any], provider: str,
         what: dict[str, Any]) -> None:
    country, service, entry = what.get("country"), what.get("service"), copy.deepcopy(what.get("entry") or {})
    info = what.get("country_info")
    countries = market.setdefault("countries", {})
    periods = market.get("pricing") == PERIODS
    iso = entry.get("iso", country) if periods else country
    if info:
        data["countries"][iso] = info
    if iso and iso not in data["countries"]:
        raise AdminError(f"country {iso!r} is new: describe it in country_info (dial, name, pattern)", "country_info")
    rows: list[tuple[str, str, str, int, str, int]] = []
    if periods:
        if service or not country or "iso" not in entry:
            raise AdminError(f"{provider}: give country (its calling code) and entry {{iso, periods, extend_day}}",
                             "add")
        countries[country] = entry
        rows = [(provider, iso, "", _whole(p, "stock", 0, MAX_DAYS), "", _whole(n, "stock", 0, MAX_COUNT))
                for p, n in entry.get("stock", {}).items()]
    elif country and service:
        countries.setdefault(country, {"services": {}}).setdefault("services", {})[service] = entry
        market.setdefault("services", {}).setdefault(service, {"name": service, "img": "", "sender": service.upper()})
        rows = [(provider, country, service, 0, op, _whole(n, "stock", 0, MAX_COUNT))
                for op, n in entry.get("stock", {}).items()]
    elif country:
        entry.setdefault("services", {})
        countries[country] = entry
        rows = [(provider, country, s, 0, op, _whole(n, "stock", 0, MAX_COUNT)) for s, e in entry["services"].items()
                for op, n in e.get("stock", {}).items()]
    elif service:
        market.setdefault("services", {})[service] = entry
    else:
        raise AdminError("give a country, a service, or both", "add")
    tx.stock.fill(rows)
