"""The SMSPVA model the state machine predicts from: prices, per-operator stock, orders and their clock.

Kept apart from the machine so the arithmetic (discounts, prolong limits, restore quotes, which
operator a number comes from) can be read, and tested, without any HTTP. Everything here follows
SMSPVA's documented rules as ``docs/smspva.md`` states them; where the documents are silent it follows
what the mock promises in that page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

DAY = 86_400
CENT = Decimal("0.01")
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}


@dataclass(frozen=True)
class Delays:
    """The provider's timings, read from the mock's settings (defaults: SMSPVA's documented figures)."""

    activation: int = 720
    online: int = 1200
    window_days: int = 7
    term_days: int = 90
    prepaid_days: int = 30


@dataclass
class Pricing:
    """Daily prices per (country, service) and the bulk discount, as ``getdata`` and
    ``get_default_services`` publish them."""

    day: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    discount_days: int = 0
    discount_percent: int = 0

    def one(self, country: str, service: str, days: int) -> Decimal:
        """One service for ``days``, discounted from ``discount_days``, to the cent (half up)."""
        total = self.day[(country, service)] * days
        if self.discount_days and days >= self.discount_days:
            total = total * (100 - self.discount_percent) / 100
        return total.quantize(CENT, ROUND_HALF_UP)

    def rent(self, country: str, services: tuple[str, ...], days: int) -> Decimal:
        """Renting or prolonging: every service's daily price x days, discounted from ``discount_days``."""
        return sum((self.one(country, s, days) for s in services), Decimal(0))

    def full(self, country: str, services: tuple[str, ...], days: int) -> Decimal:
        """Restoring: the full daily price, no discount."""
        return sum(((self.day[(country, s)] * days).quantize(CENT, ROUND_HALF_UP) for s in services), Decimal(0))


@dataclass
class Stock:
    """Free numbers per (country, service, operator), as ``getdataWithProviders`` shows them."""

    free: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def operators(self, country: str, service: str) -> dict[str, int]:
        """Free numbers per operator for one country and service."""
        return {op: n for (c, s, op), n in self.free.items() if c == country and s == service}

    def pick(self, country: str, services: tuple[str, ...], operator: str | None) -> tuple[str | None, str]:
        """(operator a new number comes from, or None) and the refusal if none: the operator serving every
        service with the most free numbers for the scarcest of them wins; ties go to the first name."""
        offered = [set(self.operators(country, s)) for s in services]
        common = set.intersection(*offered) if offered else set()
        if operator is not None:
            common &= {operator}
            if not common:
                return None, "Provider not found"
        if not common:
            return None, "No numbers available"
        best = sorted(common, key=lambda op: (-min(self.free[(country, s, op)] for s in services), op))[0]
        if min(self.free[(country, s, best)] for s in services) <= 0:
            return None, "No numbers available"
        return best, ""

    def move(self, country: str, services: tuple[str, ...], operator: str, delta: int) -> None:
        """Numbers leave (-1) or return (+1); a count never goes below zero."""
        for s in services:
            key = (country, s, operator)
            if key in self.free:
                self.free[key] = max(0, self.free[key] + delta)


@dataclass
class Sms:
    """One SMS an order received; ``for_order``: it goes to ``SmsList`` (else ``OtherSms``)."""

    text: str
    sender: str
    at: int
    for_order: bool


@dataclass
class Order:
    """One order as the model knows it: its number, services, operator, times, money and SMS."""

    id: int
    country: str
    dial: str
    phone: str
    services: tuple[str, ...]
    operator: str
    created: int
    until: int
    days: int
    paid: Decimal
    online_from: int | None = None
    online_until: int | None = None
    gone: bool = False
    closed_at: int | None = None
    sms: list[Sms] = field(default_factory=list)  # newest first
    unread: bool = False
    online_before: int = 0  # end of an earlier online window, kept when the number is queued again

    def queue(self, now: int, d: Delays) -> None:
        """``activate`` on an offline number: online after the activation delay, for the online window."""
        self.online_before = self.last_online(now)
        self.online_from = now + d.activation
        self.online_until = self.online_from + d.online

    @property
    def open(self) -> bool:
        """Listed in ``orders`` (not expired, deleted or restored away)."""
        return self.closed_at is None

    @property
    def number(self) -> str:
        """The full number (calling code and national number), as SMS are addressed to it."""
        return self.dial + self.phone

    def state(self, now: int) -> int:
        """0 offline -> activate -> 2 queued -> 1 online -> 0, and -1 once the number left the system."""
        if self.gone:
            return -1
        if self.online_from is None or self.online_until is None or now >= self.online_until:
            return 0
        return 2 if now < self.online_from else 1

    def last_online(self, now: int) -> int:
        """``lastonline``: now while online, the end of the last window after it, 0 if never online."""
        if self.online_from is None or self.online_until is None or now < self.online_from:
            return self.online_before
        return min(now, self.online_until)

    def prolong_limits(self, now: int, d: Delays) -> tuple[bool, int, int]:
        """(canprolong, canprolongmax, canprolonguntil): fewer than ``window_days`` left, within the term."""
        if self.gone:
            return False, 0, self.until
        in_window = self.until - now < d.window_days * DAY
        most = max(0, (self.created + d.term_days * DAY - self.until) // DAY)
        return in_window and most > 0, most, self.until + most * DAY

    def prolong_refusal(self, now: int, d: Delays, days: int) -> str:
        """Why ``prolong`` / ``prolong_max`` for ``days`` is refused ("" if it is not), in the service's order."""
        if not self.open:
            return "Order is closed"
        if self.gone:
            return "Phone number is not in the system"
        if self.until - now >= d.window_days * DAY:
            return f"Prolongation is possible only when fewer than {d.window_days} days remain"
        if days > self.prolong_limits(now, d)[1]:
            return f"Prolongation would pass the {d.term_days}-day maximum"
        return ""


def restore_quote(order: Order, now: int, d: Delays, pricing: Pricing, held: set[str]) -> tuple[str, int, Decimal]:
    """(refusal code or "", overdue days, price) of restoring an archived order of the caller's.

    ``held`` are the full numbers open orders hold now: such a number cannot come back.
    """
    if order.open or order.until > now:
        return "DATEDIFFINVERT", 0, Decimal(0)
    if order.gone or order.number in held or now + d.prepaid_days * DAY > order.created + d.term_days * DAY:
        return "NOAVAILDAYS", 0, Decimal(0)
    overdue = max(1, math.ceil((now - order.until) / DAY))
    return "", overdue, pricing.full(order.country, order.services, overdue + d.prepaid_days)
