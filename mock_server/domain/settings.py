"""Rules and delays of the simulated providers, with realistic defaults that tests shorten.

``LIMITS`` bounds every number: whatever sets a value (config, ``--set``, the control API, an import)
goes through ``Settings.from_mapping``, so no setting can make a later provider call overflow.
``schemas/control/settings.request.json`` states the same bounds (a test keeps them equal).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any


YEAR = 365 * 86_400
MAX_MONEY = Decimal("1000000000000")   # 10^12, as for an account balance
# (lowest, highest) per numeric setting; durations in seconds unless the name says days
LIMITS: dict[str, tuple[Any, Any]] = {
    "start_balance": (Decimal(0), MAX_MONEY),
    "max_concurrent": (0, 10_000),
    "guard_seconds": (0, YEAR),
    "renew_days": (0, 3650),
    "reload_cooldown": (0, YEAR),
    "activation_delay": (0, YEAR),
    "online_window": (0, YEAR),
    "prolong_window_days": (0, 3650),
    "max_term_days": (0, 3650),
    "restore_prepaid_days": (0, 3650),
    "rent_rate_limit": (0, 1_000_000),
    "duplicate_window": (0.0, 86_400.0),
    "failure_rate": (0.0, 1.0),
    "auto_sms": (0, YEAR),
    "onlinesim_utc_offset": (-12 * 60, 14 * 60),  # the world's time zones: UTC-12 .. UTC+14
}


@dataclass(frozen=True, slots=True)
class Settings:
    start_balance: Decimal = Decimal("1000")
    strict_keys: bool = False
    max_concurrent: int = 20            # open rentals per key (EXCEEDED_CONCURRENT_OPERATIONS)
    guard_seconds: int = 20 * 60        # OnlineSim: no SMS by then -> closed and refunded
    renew_days: int = 30                # OnlineSim auto-renewal length
    reload_cooldown: int = 10 * 60      # OnlineSim: seconds between port reloads
    activation_delay: int = 12 * 60     # SMSPVA: queue time from activate to online (10-15 min)
    online_window: int = 20 * 60        # SMSPVA: how long a number stays online (10-30 min)
    prolong_window_days: int = 7        # SMSPVA: prolong only when fewer days than this remain
    max_term_days: int = 90             # SMSPVA: guaranteed maximum rental term
    restore_prepaid_days: int = 30      # SMSPVA: days paid in advance on restore
    rent_rate_limit: int = 0            # rent calls per second per key; 0 = unlimited
    duplicate_window: float = 0.0       # seconds in which identical rent calls are refused; 0 = off
    failure_rate: float = 0.0           # share of rent calls answered "try again later"
    auto_sms: int = 0                   # seconds after a rental can receive until a scripted code SMS; 0 = off
    onlinesim_utc_offset: int = 180     # OnlineSim: minutes east of UTC its wall-clock times are written in (Moscow)
    onlinesim_extend_off_list: bool = False  # OnlineSim: `extend` is [] (not the price map) when auto-renewal is off

    def __post_init__(self) -> None:
        """Settings made in code keep the same bounds as those parsed from a call or the command line."""
        for name in LIMITS:
            _check_bounds(name, getattr(self, name))

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> Settings:
        """Settings from config-style keys (``GUARD_SECONDS`` or ``guard_seconds``); unknown keys ignored."""
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            name = key.lower()
            if name in known and value is not None:
                kind = type(getattr(cls(), name))
                kwargs[name] = _coerce(kind, value, name)
        return cls(**kwargs)


def _coerce(kind: type, value: Any, name: str) -> Any:
    """``value`` as the setting's type, within ``LIMITS``; a ValueError names the setting otherwise."""
    try:
        if kind is bool:
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
        if kind is int and isinstance(value, float) and not value.is_integer():
            raise ValueError(value)
        result = kind(str(value)) if kind is Decimal else kind(value)
        finite = result.is_finite() if isinstance(result, Decimal) else math.isfinite(result)
    except (ValueError, TypeError, ArithmeticError, OverflowError) as exc:
        raise ValueError(f"setting {name}: {str(value)[:40]!r} is not a valid {kind.__name__}") from exc
    if not finite:
        raise ValueError(f"setting {name} must be a finite number")
    _check_bounds(name, result)
    return result


def _check_bounds(name: str, value: Any) -> None:
    low, high = LIMITS.get(name, (0, None))
    if value < low:
        raise ValueError(f"setting {name} must not be negative" if low == 0 else f"setting {name} must be >= {low}")
    if high is not None and value > high:
        raise ValueError(f"setting {name} must be at most {high}")
