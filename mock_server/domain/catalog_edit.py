"""Catalog edits for the control API: add or remove a country or a service of one provider's market.

The new catalog is priced offer by offer before it is stored, so a malformed entry is refused here
(``AdminError``) rather than failing a later provider call. Stock rows follow the catalog.
"""

from __future__ import annotations

import copy
import sqlite3
from typing import Any

from . import stock
from .admin import AdminError
from .catalog import Catalog
from .catalog import money as money_of
from .errors import RentalError
from .world import World


def patch_catalog(world: World, provider: str, *, add: dict[str, Any] | None = None,
                  remove: dict[str, Any] | None = None) -> dict[str, Any]:
    """Add or remove a country or a service of one provider's market; returns the new catalog data."""
    with world.write() as (db, _now):
        data = copy.deepcopy(dict(world.catalog(db).data))
        market = data.setdefault(provider, {})
        if remove is not None:
            _remove(db, data, market, provider, remove)
        if add is not None:
            _add(db, data, market, provider, add)
        try:
            _check(Catalog(data), provider)
        except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, RentalError) as exc:
            raise AdminError(f"the catalog would be invalid: {exc!r}", "add") from None
        world.put_catalog(db, data)
        return data


def _check(catalog: Catalog, provider: str) -> None:
    """Price every offer of the market once, so a malformed entry fails here and not in a provider call."""
    list(catalog.initial_stock())
    market = catalog.data.get(provider, {})
    if provider == "onlinesim":
        isos = [entry["iso"] for entry in market.get("countries", {}).values()]
        if len(set(isos)) != len(isos):
            raise ValueError("two OnlineSim countries with the same ISO letters")
        for code, entry in market.get("countries", {}).items():
            int(code)
            catalog.country(entry["iso"])
            for days, price in entry["periods"].items():
                int(days), money_of(price)
            money_of(entry["extend_day"])
        return
    for iso, entry in market.get("countries", {}).items():
        for service in entry.get("services", {}):
            catalog.offer(provider, iso, service).price(7)


def _onlinesim_code(market: dict[str, Any], country: str) -> str:
    entries = market.get("countries", {})
    if country in entries:
        return country
    found = next((code for code, entry in entries.items() if entry.get("iso") == country), None)
    if found is None:
        raise AdminError(f"OnlineSim offers no country {country!r}", "country", status=404)
    return found


def _remove(db: sqlite3.Connection, data: dict[str, Any], market: dict[str, Any], provider: str,
            what: dict[str, Any]) -> None:
    country, service = what.get("country"), what.get("service")
    countries = market.setdefault("countries", {})
    if provider == "onlinesim":
        if service or not country:
            raise AdminError("OnlineSim's market has countries only: give a country", "remove")
        iso = countries.pop(_onlinesim_code(market, country))["iso"]
        db.execute("DELETE FROM stock WHERE provider = ? AND country = ?", (provider, iso))
    elif country and service:
        if service not in countries.get(country, {}).get("services", {}):
            raise AdminError(f"{country} offers no service {service!r}", "service", status=404)
        del countries[country]["services"][service]
        db.execute("DELETE FROM stock WHERE provider = ? AND country = ? AND service = ?", (provider, country, service))
    elif country:
        if countries.pop(country, None) is None:
            raise AdminError(f"SMSPVA offers no country {country!r}", "country", status=404)
        db.execute("DELETE FROM stock WHERE provider = ? AND country = ?", (provider, country))
    elif service:
        if market.get("services", {}).pop(service, None) is None:
            raise AdminError(f"SMSPVA has no service {service!r}", "service", status=404)
        for entry in countries.values():
            entry.get("services", {}).pop(service, None)
        db.execute("DELETE FROM stock WHERE provider = ? AND service = ?", (provider, service))
    else:
        raise AdminError("give a country, a service, or both", "remove")


def _add(db: sqlite3.Connection, data: dict[str, Any], market: dict[str, Any], provider: str,
         what: dict[str, Any]) -> None:
    country, service, entry = what.get("country"), what.get("service"), copy.deepcopy(what.get("entry") or {})
    info = what.get("country_info")
    countries = market.setdefault("countries", {})
    iso = entry.get("iso", country) if provider == "onlinesim" else country
    if info:
        data["countries"][iso] = info
    if iso and iso not in data["countries"]:
        raise AdminError(f"country {iso!r} is new: describe it in country_info (dial, name, pattern)", "country_info")
    rows: list[tuple[str, str, str, int, str, int]] = []
    if provider == "onlinesim":
        if service or not country or "iso" not in entry:
            raise AdminError("OnlineSim: give country (its calling code) and entry {iso, periods, extend_day}", "add")
        countries[country] = entry
        rows = [(provider, iso, "", int(p), "", int(n)) for p, n in entry.get("stock", {}).items()]
    elif country and service:
        countries.setdefault(country, {"services": {}}).setdefault("services", {})[service] = entry
        market.setdefault("services", {}).setdefault(service, {"name": service, "img": "", "sender": service.upper()})
        rows = [(provider, country, service, 0, op, int(n)) for op, n in entry.get("stock", {}).items()]
    elif country:
        entry.setdefault("services", {})
        countries[country] = entry
        rows = [(provider, country, s, 0, op, int(n)) for s, e in entry["services"].items()
                for op, n in e.get("stock", {}).items()]
    elif service:
        market.setdefault("services", {})[service] = entry
    else:
        raise AdminError("give a country, a service, or both", "add")
    stock.fill(db, rows)
