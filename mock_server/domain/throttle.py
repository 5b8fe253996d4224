"""Request-rate rules for renting: per-key calls per second and the duplicate window.

They count real (wall-clock) seconds, not simulated ones: they are about how fast a client calls.
A call is recorded inside the call's transaction: a provider call that is refused is rolled back whole
(nothing stored, nothing counted), so only answered calls count.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .errors import DuplicateOperation, RateLimited
from .settings import Settings

if TYPE_CHECKING:
    from .ports import Store


def check(store: Store, settings: Settings, apikey: str, fingerprint: str) -> None:
    """Record one rent call; refuse it when it repeats ``fingerprint`` within the window or exceeds the rate."""
    if not (settings.rent_rate_limit or settings.duplicate_window):
        return
    real = time.time()
    with store.unit_of_work() as tx:
        tx.throttle.forget_before(real - max(1.0, settings.duplicate_window))
        window = settings.duplicate_window
        if window and tx.throttle.seen(apikey, "rent", fingerprint, real - window):
            raise DuplicateOperation()
        recent = tx.throttle.count(apikey, "rent", real - 1.0)
        tx.throttle.record(apikey, "rent", fingerprint, real)
    if settings.rent_rate_limit and recent >= settings.rent_rate_limit:
        raise RateLimited()
