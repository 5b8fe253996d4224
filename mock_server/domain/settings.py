"""Rules and delays of the simulated providers, with realistic defaults that tests shorten."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any


UTC_OFFSET_BOUNDS = (-12 * 60, 14 * 60)  # the world's time zones: UTC-12 .. UTC+14
SIGNED = frozenset({"onlinesim_utc_offset"})


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
        low, high = UTC_OFFSET_BOUNDS
        if not low <= self.onlinesim_utc_offset <= high:
            raise ValueError(f"setting onlinesim_utc_offset must be between {low} and {high} minutes")

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
    try:
        if kind is bool:
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
        result = kind(str(value)) if kind is Decimal else kind(value)
    except (ValueError, ArithmeticError) as exc:
        raise ValueError(f"setting {name}: {value!r} is not a valid {kind.__name__}") from exc
    if result < 0 and name not in SIGNED:
        raise ValueError(f"setting {name} must not be negative")
    return result
