"""The simulated clock. Its state lives in the store, so every worker process reads the same `now`.

``now = anchor_sim + (real_now - anchor_real) * scale``; a frozen clock has scale 0. Changing the
mode or advancing re-anchors at the current simulated time, so time never jumps backwards by accident.
Every value a caller gives is bounded (``EARLIEST``..``LATEST``, a jump of at most ``MAX_JUMP``, a scale
up to ``MAX_SCALE``), so the stored clock stays finite and its readings fit SQLite's INTEGER.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, replace

MODES = ("real", "scaled", "frozen")
EARLIEST = 946_684_800        # 2000-01-01T00:00:00Z: the earliest time a clock may be set to
LATEST = 7_258_118_400        # 2200-01-01T00:00:00Z: the latest
MAX_JUMP = 3_155_760_000      # one century (365.25-day years) in seconds: the largest single move
MAX_SCALE = 1_000_000.0       # simulated seconds per real second


def _number(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    return float(value)


def check_time(when: float, name: str = "the time") -> float:
    """``when`` as a float, if it is a finite unix time between EARLIEST and LATEST."""
    if not EARLIEST <= _number(when, name) <= LATEST:
        raise ValueError(f"{name} must be between {EARLIEST} (2000-01-01) and {LATEST} (2200-01-01)")
    return float(when)


def check_scale(scale: float) -> float:
    if not 0 < _number(scale, "the time scale") <= MAX_SCALE:
        raise ValueError(f"the time scale must be positive and at most {MAX_SCALE:g}")
    return float(scale)


@dataclass(frozen=True, slots=True)
class ClockState:
    mode: str
    anchor_sim: float
    anchor_real: float
    scale: float

    def now(self, real_now: float | None = None) -> int:
        if self.mode == "frozen":
            return int(self.anchor_sim)
        real = time.time() if real_now is None else real_now
        return int(self.anchor_sim + (real - self.anchor_real) * self.scale)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ClockState:
        return cls(**json.loads(text))


def initial(mode: str, *, start: float | None = None, scale: float = 1.0) -> ClockState:
    """A new clock: ``real`` ticks with the wall clock, ``scaled`` N times faster, ``frozen`` stands still."""
    if mode not in MODES:
        raise ValueError(f"clock mode must be one of {', '.join(MODES)}, not {mode!r}")
    real = time.time()
    if mode == "real":
        scale = 1.0
    if mode == "scaled":
        check_scale(scale)
    elif not math.isfinite(scale):
        raise ValueError("the time scale must be a finite number")
    if start is not None and not math.isfinite(start):
        raise ValueError("the start time must be a finite number")
    return ClockState(mode, real if start is None else float(start), real, scale)


def advanced(state: ClockState, seconds: float) -> ClockState:
    """The same clock, ``seconds`` later; a negative value is refused (time only moves forward), and so
    is a jump of more than a century or one past LATEST."""
    if _number(seconds, "advance") < 0:
        raise ValueError("the clock only moves forward")
    if seconds > MAX_JUMP:
        raise ValueError(f"the clock moves at most a century ({MAX_JUMP} seconds) at a time")
    real = time.time()
    target = state.now(real) + seconds
    if target > LATEST:
        raise ValueError(f"the clock cannot go past {LATEST} (2200-01-01)")
    return replace(state, anchor_sim=target, anchor_real=real)


def set_to(state: ClockState, when: float) -> ClockState:
    """The same clock, showing ``when``: not before now, at most a century ahead, within EARLIEST..LATEST."""
    check_time(when, "set")
    real = time.time()
    now = state.now(real)
    if when < now:
        raise ValueError("the clock only moves forward")
    if when - now > MAX_JUMP:
        raise ValueError(f"the clock moves at most a century ({MAX_JUMP} seconds) at a time")
    return replace(state, anchor_sim=float(when), anchor_real=real)


def switched(state: ClockState, mode: str, scale: float | None = None) -> ClockState:
    """The same instant, running in another mode from now on."""
    real = time.time()
    fresh = initial(mode, start=state.now(real), scale=state.scale if scale is None else scale)
    return replace(fresh, anchor_real=real)
