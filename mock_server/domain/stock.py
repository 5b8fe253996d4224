"""Free numbers per (market, country, service, period, operator). Taking one is a guarded decrement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import OutOfStock, UnknownOperator

if TYPE_CHECKING:
    from .ports import Tx


@dataclass(frozen=True, slots=True)
class StockRow:
    provider: str
    country: str
    service: str
    period: int
    operator: str
    count: int


def take(tx: Tx, provider: str, country: str, services: Sequence[str], period: int, operator: str | None) -> str:
    """Take one number able to serve every service; returns the operator it came from.

    With no operator asked for, the operator with the most free numbers for all the services wins.
    """
    best = tx.stock.best_operator(provider, country, services, period, operator)
    if best is None and operator is not None:
        raise UnknownOperator(f"operator {operator!r} is not offered here")
    if best is None or best[1] <= 0:
        raise OutOfStock()
    for service in services:
        if not tx.stock.decrement(provider, country, service, period, best[0]):  # pragma: no cover - guarded above
            raise OutOfStock()
    return best[0]


def give_back(tx: Tx, provider: str, country: str, services: Sequence[str], period: int, operator: str, *,
              delta: int = 1) -> None:
    """A released number returns to the pool (or, with delta -1, a restored one leaves it, never below 0)."""
    for service in services or ("",):
        tx.stock.add(provider, country, service, period, operator, delta)
