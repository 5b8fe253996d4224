"""Everything a contract run shares: the target, its control API (if any), profile, keys and budget."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .pace import Pace
from .target import Target

if TYPE_CHECKING:
    from sms_rent_mock.mock_server.client import MockControl

PROVIDERS = ("onlinesim", "smspva")
# settings that make a mock act on its own (scripted SMS, random refusals, rate limits): off during a run,
# so that everything the kit sees follows from what it did
QUIET = {"auto_sms": 0, "failure_rate": 0, "rent_rate_limit": 0, "duplicate_window": 0}


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
    pace: Pace = field(default_factory=Pace)

    @property
    def control(self) -> MockControl | None:
        return self.target.control

    def fresh_mock(self) -> None:
        """Reset the mock to this run's seed and keep it quiet (``QUIET``): a reset drops setting
        overrides, so every example does this again."""
        assert self.control is not None
        self.control.reset(seed=self.seed)
        self.control.patch_settings(**QUIET)

    @property
    def can_spend(self) -> bool:
        """Our mock is free; a real provider only with --allow-spend and a budget."""
        return self.control is not None or (self.allow_spend and self.budget is not None)

    def skip(self, check: str) -> None:
        """Record a check that could not run on this target (reported, never silently passing)."""
        self.not_run.add(check)


def quiet_mock(control: MockControl) -> dict[str, Any]:
    """Switch off what makes the mock act on its own; returns what to put back with ``restore_mock``."""
    before = control.settings()
    clock = control.clock()
    control.patch_settings(**QUIET)
    return {"settings": {k: before["settings"][k] for k in QUIET if k in before["settings"]},
            "clock": {"mode": clock.get("mode"), "scale": clock.get("scale")}}


def restore_mock(control: MockControl, saved: dict[str, Any]) -> None:
    """Put back the settings and clock mode ``quiet_mock`` found (the kit's resets dropped the rest)."""
    control.patch_settings(**saved["settings"])
    mode, scale = saved["clock"]["mode"], saved["clock"]["scale"]
    if mode:
        control.set_clock_mode(mode, scale=scale if mode == "scaled" else None)
