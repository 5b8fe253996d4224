"""Checks of what is read back from the store: a value no call may write (left by an older version or
a hand edit) is named with its file and the way out, at start-up and when a request fails, instead
of surfacing as a 500 on every route.

The rules are data: which ``meta`` values must parse to what, which fault-rule fields must hold what,
and that every INTEGER column holds integers. They are deliberately no stricter than the control
API's own bounds: anything a call can write passes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from .domain.clock import MODES
from .domain.settings import Settings
from .storage import Store, StoreError, Tx, open_store

WAY_OUT = "restore it from a backup, or move it away and start again with a new store"
MAX_TIME = 253_402_300_799       # 9999-12-31 23:59:59 UTC: the last second a timestamp can be shown
MAX_SCALE = 1e9                  # simulated seconds per real second
MAX_INT = 2**53                  # every stored whole number stays exact as a JSON number
FAULT_ACTIONS = frozenset({"delay_ms", "error", "http_status", "body", "drop"})


def _number(value: Any, low: float, high: float) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and low <= value <= high)


def _clock(value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) != {"mode", "anchor_sim", "anchor_real", "scale"}:
        return "not a clock state"
    if value["mode"] not in MODES:
        return f"the unknown mode {value['mode']!r}"
    if not (_number(value["anchor_sim"], 0, MAX_TIME) and _number(value["anchor_real"], 0, MAX_TIME)):
        return "a time that is not a finite number of seconds before the year 10000"
    if not _number(value["scale"], 0, MAX_SCALE):
        return f"a time scale outside 0-{MAX_SCALE:g}"
    return None


def _settings(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "not an object"
    unknown = sorted(set(value) - set(Settings.__dataclass_fields__))
    if unknown:
        return f"unknown settings {unknown}"
    try:  # the same bounds as every call that sets them (settings.LIMITS)
        Settings.from_mapping({k: v for k, v in value.items() if v is not None})
    except (ValueError, TypeError, ArithmeticError) as exc:
        return str(exc)
    return None


def _object(value: Any) -> str | None:
    return None if isinstance(value, dict) else "not a JSON object"


# meta key -> check of its parsed JSON value (None: fine)
META: dict[str, Callable[[Any], str | None]] = {"clock": _clock, "settings": _settings, "catalog": _object}


def _fault(row: dict[str, Any]) -> str | None:
    try:
        action, match = json.loads(row["action"]), json.loads(row["match"])
    except (TypeError, ValueError):
        return "not JSON"
    if not isinstance(action, dict) or not action or not set(action) <= FAULT_ACTIONS:
        return f"an unknown action {row['action']!r}"
    if not isinstance(match, dict):
        return "a match that is not an object"
    if row["remaining"] is not None and not _number(row["remaining"], 0, MAX_INT):
        return f"times = {row['remaining']!r}"
    if row["probability"] is not None and not _number(row["probability"], 0, 1):
        return f"probability = {row['probability']!r}"
    if "delay_ms" in action and not _number(action["delay_ms"], 0, MAX_INT):
        return f"delay_ms = {action['delay_ms']!r}"
    if "http_status" in action and not (isinstance(action["http_status"], int) and 100 <= action["http_status"] <= 599):
        return f"http_status = {action['http_status']!r}"
    return None


def problem(store: Store) -> str | None:
    """The first value in ``store`` no call may write, as one line naming the file and the way out."""
    found = _first_problem(store.current())
    return None if found is None else str(StoreError(store.path, f"holds {found}", WAY_OUT))


def check(store: Store) -> None:
    """``StoreError`` (its text is ``problem``'s line) when the store holds such a value."""
    found = _first_problem(store.current())
    if found is not None:
        raise StoreError(store.path, f"holds {found}", WAY_OUT)


def _first_problem(tx: Tx) -> str | None:
    for key, rule in META.items():
        raw = tx.meta.get(key)
        if raw is None:
            continue
        try:
            value = json.loads(raw, parse_constant=lambda name: float(name))
        except (TypeError, ValueError):
            return f"a {key} value that is not JSON"
        why = rule(value)
        if why is not None:
            return f"an invalid {key} value ({why})"
    seed = tx.meta.get("seed")
    if seed is not None and not seed.lstrip("-").isdigit():
        return f"a seed that is not a whole number ({seed!r})"
    for row in tx.faults.all():
        why = _fault(row)
        if why is not None:
            return f"an invalid fault rule {row['id']} ({why})"
    bad = tx.snapshot.not_whole_number()
    return None if bad is None else f"{bad}, which is not a whole number"


def verify(path: str) -> None:
    """Open the store at ``path`` (creating it when new) and ``check`` it; ``StoreError`` if unusable.
    A throwaway ``:memory:`` store is always fresh and is not opened here."""
    if path == ":memory:":
        return
    store = open_store(path)
    try:
        check(store)
    finally:
        store.close()
