"""Plain records the World takes and gives: what to rent, what became of an SMS sent to a number, and
the heading a request reads first."""

from __future__ import annotations

from dataclasses import dataclass

from .accounts import Account
from .inbox import Message


@dataclass(frozen=True, slots=True)
class RentRequest:
    """What to rent. ``period`` is the stock bucket (a tariff's days, or 0 where stock has no period)."""

    provider: str
    country: str
    days: int
    services: tuple[str, ...] = ("",)
    operator: str | None = None
    period: int = 0
    auto_renew: bool = False
    guarded: bool = False
    needs_activation: bool = False
    fingerprint: str = ""


@dataclass(frozen=True, slots=True)
class Delivery:
    delivered: bool
    rental_id: int | None
    reason: str
    message: Message | None = None
    provider: str | None = None


@dataclass(frozen=True, slots=True)
class Heading:
    """What every read needs before anything else: the stored clock, the catalog's revision, the moment
    the first open rental's next event falls due (None: no open rental), and the key's account if asked
    for one (None: none, or no such account)."""

    clock: str
    catalog_rev: str
    next_due: int | None
    account: Account | None = None
