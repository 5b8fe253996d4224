"""SMSPVA's public catalog methods: countries, services, prices and stock per operator, PayPal days.

None of them needs an API key and none changes state; a key, when sent, is ignored. Counts are read
from the shared stock table, so they move as either provider rents and releases numbers.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from ..exchange import Reply

from ..domain import World, errors
from .smspva_common import (PROVIDER, days_of, documented, iso, market, market_country, money, ok, price_text,
                            service_info, service_list)


def _counts(world: World, country: str) -> dict[str, dict[str, int]]:
    """service -> operator -> free numbers, for one country."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for row in world.stock(PROVIDER, country):
        found[row.service][row.operator] = row.count
    return found


def _offered(world: World, country: str) -> list[str]:
    """Services of one country that the catalog still names, in catalog order."""
    known = market(world.catalog()).get("services", {})
    return [s for s in market_country(world, country)["services"] if s in known]


def _discount(world: World) -> tuple[int, int]:
    d = market(world.catalog()).get("discount", {})
    return int(d.get("days", 0)), int(d.get("percent", 0))


def _service_row(world: World, country: str, service: str, days: int) -> dict[str, Any]:
    """One service's row; ``price_day`` is the per-day price of a ``days``-long rental, so that
    price_day x days (rounded to the cent) is what ``create`` charges for that period."""
    discount_days, percent = _discount(world)
    info = service_info(world.catalog(), service)
    return {"name": info.get("name", service), "service": service,
            "price_day": money(world.catalog().offer(PROVIDER, country, service).day_price_for(days)),
            "img": info.get("img", ""), "procent_days": discount_days, "procent": percent, "day_step": 1}


def getcountries(world: World, values: dict[str, str]) -> Reply:
    entries = sorted(market(world.catalog()).get("countries", {}).items(), key=lambda kv: kv[1].get("position", 0))
    catalog = world.catalog()
    rows: list[dict[str, Any]] = []
    for code, entry in entries:
        country = catalog.country(code)
        row: dict[str, Any] = {"name": country.name, "code": code}
        if not documented():
            row.update(url_country_name=country.slug, rent_switch_type=str(entry.get("switch_type", "FAST")),
                       rent_avail_prolong=str(entry.get("avail_prolong", "1")))
        rows.append(row)
    return ok("getcountries", rows)


def get_default_services(world: World, values: dict[str, str]) -> Reply:
    days, percent = _discount(world)
    countries = market(world.catalog()).get("countries", {})
    rows = []
    for service in market(world.catalog()).get("default_services", ()):
        prices = [Decimal(str(c["services"][service]["price_day"]))
                  for c in countries.values() if service in c["services"]]
        info = service_info(world.catalog(), service)
        rows.append({"name": info.get("name", service), "service": service,
                     "priceForDay": price_text(min(prices, default=Decimal(0))), "img": info.get("img", ""),
                     "DAYP": str(days), "PROC": str(percent)})
    return ok("get_default_services", rows)


def get_country_by_service(world: World, values: dict[str, str]) -> Reply:
    service = values["service"].strip()
    if service not in market(world.catalog()).get("services", {}):
        raise errors.UnknownService()
    days, (discount_days, percent) = days_of(values), _discount(world)
    catalog, data = world.catalog(), {}
    for code, entry in market(world.catalog()).get("countries", {}).items():
        if service not in entry["services"]:
            continue
        free = sum(_counts(world, code).get(service, {}).values())
        data[code] = {"service_name": service_info(world.catalog(), service).get("name", service),
                      "price": price_text(catalog.offer(PROVIDER, code, service).price(days)),
                      "procent_days": str(discount_days), "procent": str(percent), "day_step": "1",
                      "country": catalog.country(code).name, "phoneAmount": free}
    return ok("get_country_by_service", data)


def getdata(world: World, values: dict[str, str]) -> Reply:
    country, days = iso(values), days_of(values)  # dtype/dcount pick the period price_day is quoted for
    counts = _counts(world, country)
    rows = []
    for service in _offered(world, country):
        row = _service_row(world, country, service, days)
        row["count"] = sum(counts.get(service, {}).values())
        rows.append(row)
    if documented():
        return ok("getdata", [{k: r[k] for k in ("name", "service", "price_day", "count")} for r in rows])
    return ok("getdata", {"services": rows, "totalAmount": sum(r["count"] for r in rows)})


def getdata_with_providers(world: World, values: dict[str, str]) -> Reply:
    country, days = iso(values), days_of(values)
    counts, rows = _counts(world, country), []
    operators = list(world.catalog().country(country).operators)
    for service in _offered(world, country):
        per_operator = counts.get(service, {})
        row = _service_row(world, country, service, days)
        row.update(count=dict(per_operator), totalCount=sum(per_operator.values()))
        rows.append(row)
        operators += [op for op in per_operator if op not in operators]
    return ok("getdataWithProviders", {"services": rows, "totalAmount": sum(r["totalCount"] for r in rows),
                                       "allOperators": operators})


def getcount(world: World, values: dict[str, str]) -> Reply:
    country = iso(values)
    days_of(values)
    counts = _counts(world, country)
    return ok("getcount", {s: sum(counts.get(s, {}).values()) for s in _offered(world, country)})


def get_count_with_providers(world: World, values: dict[str, str]) -> Reply:
    country = iso(values)
    days_of(values)
    counts = _counts(world, country)
    data = {s: {"Amount": dict(counts.get(s, {})), "Total": sum(counts.get(s, {}).values())}
            for s in _offered(world, country)}
    return ok("getCountWithProviders", data)


def get_count_multi(world: World, values: dict[str, str]) -> Reply:
    """Numbers that can take every listed service at once: per operator the scarcest service, summed."""
    country, services = iso(values), service_list(values["services"])
    days_of(values)
    offered = _offered(world, country)
    if any(s not in offered for s in services):
        raise errors.UnknownService()
    counts = _counts(world, country)
    operators = set.intersection(*(set(counts.get(s, {})) for s in services))
    return ok("get_count_multi", {"count": sum(min(counts[s][op] for s in services) for op in operators)})


def _paypal(world: World) -> dict[str, Any]:
    found: dict[str, Any] = market(world.catalog()).get("paypal", {})
    return found


def get_days_canada_paypal(world: World, values: dict[str, str]) -> Reply:
    """PayPal-in-Canada day options; an option's amount never exceeds the live stock of that service."""
    paypal = _paypal(world)
    country, service = paypal.get("country", "CA"), paypal.get("service", "opt83")
    known = country in market(world.catalog()).get("countries", {})
    free = sum(_counts(world, country).get(service, {}).values()) if known else 0
    options = sorted((int(d), int(n)) for d, n in paypal.get("days", {}).items())
    return ok("get_days_canada_paypal", [{"Days": d, "Amount": min(n, free)} for d, n in options])


def min_days(world: World, country: str, service: str) -> int:
    """The shortest rental, in days, of one country and service (1 unless the catalog says otherwise)."""
    paypal = _paypal(world)
    if country == paypal.get("country") and service == paypal.get("service"):
        return int(paypal.get("min_days", 1))
    return 1


def get_min_paypal_days(world: World, values: dict[str, str]) -> Reply:
    country, service = iso(values), values["service"].strip()
    if service not in _offered(world, country):
        raise errors.UnknownService()
    days = min_days(world, country, service)
    return ok("get_min_paypal_days", {"Days": days, "Status": 1,
                                      "Message": f"The minimum rental period is {days} days"})
