"""What can be rented, where, and at what price. Built from the plain data in ``fixtures/catalog.json``.

Two pricing models live side by side, and each market's ``"pricing"`` key says which it follows:
``periods`` (a fixed price per offered number of days; countries keyed by calling code, stock per
period) or ``daily`` (price x days with a bulk discount; countries keyed by letters, stock per service
and operator). The catalog knows data layouts and arithmetic, nothing of any provider or wire format.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .errors import InvalidPeriod, UnknownCountry, UnknownService

CENT = Decimal("0.01")
PERIODS, DAILY = "periods", "daily"
PRICINGS = (PERIODS, DAILY)


def with_pricing(data: Mapping[str, Any], defaults: Mapping[str, str]) -> dict[str, Any]:
    """``data`` with each market that does not say its pricing given the default one (catalogs stored
    before the key existed); the markets it changes are copies."""
    filled = dict(data)
    for market, pricing in defaults.items():
        entry = filled.get(market)
        if isinstance(entry, dict) and "pricing" not in entry:
            filled[market] = {"pricing": pricing, **entry}
    return filled


def money(value: Any) -> Decimal:
    """A price from catalog data (int, float or string) as an exact Decimal."""
    return Decimal(str(value))


@dataclass(frozen=True, slots=True)
class Country:
    iso: str
    dial: str
    name: str
    native: str
    slug: str
    pattern: str
    operators: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Offer:
    """The price rules for renting in one market, country and service."""

    provider: str
    country: str
    service: str
    day_price: Decimal
    period_prices: Mapping[int, Decimal] = field(default_factory=dict)
    extend_periods: tuple[int, ...] = ()
    discount_days: int = 0
    discount_percent: int = 0

    def price(self, days: int) -> Decimal:
        """The price of renting for ``days``; a period-priced market accepts only its own periods."""
        if days < 1:
            raise InvalidPeriod(f"{days} is not a positive number of days")
        if self.period_prices:
            if days not in self.period_prices:
                raise InvalidPeriod(f"{days} days is not a tariff period here")
            return self.period_prices[days]
        total = self.day_price * days
        if self.discount_days and days >= self.discount_days:
            total = total * (100 - self.discount_percent) / 100
        return total.quantize(CENT, ROUND_HALF_UP)

    def day_price_for(self, days: int) -> Decimal:
        """The per-day price of a ``days``-long rental of a per-day market (the discount applied, unrounded):
        ``price(days)`` is this times ``days``, rounded to the cent."""
        if days >= 1 and self.discount_days and days >= self.discount_days:
            return self.day_price * (100 - self.discount_percent) / 100
        return self.day_price

    def extension_price(self, days: int) -> Decimal:
        """Extending an existing rental: per-day price, with the same discount where there is one."""
        if self.extend_periods and days not in self.extend_periods:
            raise InvalidPeriod(f"{days} days is not an extension period here")
        if self.period_prices:
            return self.day_price * days
        return Offer.price(_without_periods(self), days)

    def full_price(self, days: int) -> Decimal:
        """Price without any discount (restoring overdue days)."""
        return (self.day_price * days).quantize(CENT, ROUND_HALF_UP)

    def extension_prices(self) -> dict[int, Decimal]:
        return {days: self.extension_price(days) for days in self.extend_periods}


def _without_periods(offer: Offer) -> Offer:
    return Offer(offer.provider, offer.country, offer.service, offer.day_price,
                 discount_days=offer.discount_days, discount_percent=offer.discount_percent)


class Catalog:
    """Read-only view over catalog data: countries, markets and their offers."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.countries = {
            iso: Country(iso, c["dial"], c["name"], c.get("native", c["name"]), c.get("slug", iso.lower()),
                         c["pattern"], tuple(c.get("operators", ())))
            for iso, c in data["countries"].items()
        }
        self._offers: dict[tuple[str, str, str], Offer] = {}

    def country(self, iso: str) -> Country:
        try:
            return self.countries[iso]
        except KeyError:
            raise UnknownCountry(f"country {iso!r} is not in the catalog") from None

    def offer(self, provider: str, iso: str, service: str = "") -> Offer:
        """The price rules for (market, country, service); raises UnknownCountry / UnknownService."""
        key = (provider, iso, service)
        found = self._offers.get(key)
        if found is None:
            found = self._offers[key] = self._build_offer(provider, iso, service)
        return found

    def _build_offer(self, provider: str, iso: str, service: str) -> Offer:
        self.country(iso)
        market = self.data.get(provider, {})
        if self.pricing(provider) == PERIODS:
            entry = next((c for c in market.get("countries", {}).values() if c["iso"] == iso), None)
            if entry is None:
                raise UnknownCountry(f"country {iso!r} is not offered")
            return Offer(provider, iso, "", money(entry["extend_day"]),
                         {int(d): money(p) for d, p in entry["periods"].items()},
                         tuple(market.get("extend_periods", (1, 7, 15, 30))))
        country = market.get("countries", {}).get(iso)
        if country is None:
            raise UnknownCountry(f"country {iso!r} is not offered")
        entry = country["services"].get(service)
        if entry is None or service not in market.get("services", {}):
            raise UnknownService(f"service {service!r} is not offered in {iso}")
        discount = market.get("discount", {})
        return Offer(provider, iso, service, money(entry["price_day"]),
                     discount_days=int(discount.get("days", 0)), discount_percent=int(discount.get("percent", 0)))

    def resolve_country(self, provider: str, country: str | int) -> str:
        """The internal letters for a country as the market itself names it: a ``periods`` market's
        calling code (``7`` or ``"7"``) or letters; a ``daily`` market's letters (any case). Raises
        UnknownCountry for a code no country of the market has; letters are returned upper-cased,
        whether or not the catalog has them."""
        text = str(country).strip()
        if text.isascii() and text.isdigit():
            entry = self.data.get(provider, {}).get("countries", {}).get(str(int(text))) \
                if self.pricing(provider) == PERIODS else None
            if entry is None:
                raise UnknownCountry(f"{provider} has no country with the code {text}")
            return str(entry["iso"])
        return text.upper()

    def has_country(self, provider: str, iso: str) -> bool:
        try:
            self.offer(provider, iso, next(iter(self.services_in(provider, iso)), ""))
        except (UnknownCountry, UnknownService):
            return False
        return True

    def services_in(self, provider: str, iso: str) -> Iterator[str]:
        country = self.data.get(provider, {}).get("countries", {}).get(iso, {})
        yield from country.get("services", {})

    def initial_stock(self) -> Iterator[tuple[str, str, str, int, str, int]]:
        """Rows (provider, country, service, period, operator, count) the store starts with."""
        for provider in self.markets():
            countries = self.data[provider].get("countries", {})
            if self.pricing(provider) == PERIODS:
                for entry in countries.values():
                    for period, count in entry.get("stock", {}).items():
                        yield provider, entry["iso"], "", int(period), "", int(count)
                continue
            for iso, country in countries.items():
                for service, entry in country["services"].items():
                    for operator, count in entry.get("stock", {}).items():
                        yield provider, iso, service, 0, operator, int(count)

    def pricing(self, provider: str) -> str | None:
        """How the market prices its numbers (``PERIODS`` or ``DAILY``); None for no market."""
        market = self.data.get(provider)
        return market.get("pricing") if isinstance(market, dict) else None

    def markets(self) -> list[str]:
        """The names of the markets, in the catalog's order."""
        return [name for name, entry in self.data.items()
                if isinstance(entry, dict) and entry.get("pricing") in PRICINGS]
