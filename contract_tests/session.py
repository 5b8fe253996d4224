"""Everything a contract run shares: the target, its control API (if any), profile, keys and budget."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from typing import TYPE_CHECKING

from .target import Target

if TYPE_CHECKING:
    from mock_server.client import MockControl

PROVIDERS = ("onlinesim", "smspva")


@dataclass
class Budget:
    """Money the kit may spend on a real account; the models refuse steps that would pass it."""

    limit: Decimal
    spent: Decimal = Decimal(0)

    def allows(self, amount: Decimal) -> bool:
        return self.spent + amount <= self.limit

    def spend(self, amount: Decimal) -> None:
        self.spent += amount


@dataclass
class Session:
    target: Target
    profile: str = "live"
    seed: int = 0
    allow_spend: bool = False
    budget: Budget | None = None
    other_key: str = "contract-other-key"
    not_run: set[str] = field(default_factory=set)

    @property
    def control(self) -> MockControl | None:
        return self.target.control

    @property
    def can_spend(self) -> bool:
        """Our mock is free; a real provider only with --allow-spend and a budget."""
        return self.control is not None or (self.allow_spend and self.budget is not None)

    def skip(self, check: str) -> None:
        """Record a check that could not run on this target (reported, never silently passing)."""
        self.not_run.add(check)
