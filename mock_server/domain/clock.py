"""The simulated clock. Its state lives in the store, so every worker process reads the same `now`.

``now = anchor_sim + (real_now - anchor_real) * scale``; a frozen clock has scale 0. Changing the
mode or advancing re-anchors at the current simulated time, so time never jumps backwards by accident.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, replace

MODES = ("real", "scaled", "frozen")


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
    if scale <= 0 and mode == "scaled":
        raise ValueError("the time scale must be positive")
    return ClockState(mode, real if start is None else float(start), real, scale)


def advanced(state: ClockState, seconds: float) -> ClockState:
    """The same clock, ``seconds`` later; a negative value is refused (time only moves forward)."""
    if seconds < 0:
        raise ValueError("the clock only moves forward")
    real = time.time()
    return replace(state, anchor_sim=state.now(real) + seconds, anchor_real=real)


def set_to(state: ClockState, when: float) -> ClockState:
    real = time.time()
    if when < state.now(real):
        raise ValueError("the clock only moves forward")
    return replace(state, anchor_sim=float(when), anchor_real=real)


def switched(state: ClockState, mode: str, scale: float | None = None) -> ClockState:
    """The same instant, running in another mode from now on."""
    real = time.time()
    fresh = initial(mode, start=state.now(real), scale=state.scale if scale is None else scale)
    return replace(fresh, anchor_real=real)
