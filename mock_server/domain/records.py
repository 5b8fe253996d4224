"""Plain records the World takes and gives: what to rent, and what became of an SMS sent to a number."""

from __future__ import annotations

from dataclasses import dataclass

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
