"""Request-rate rules for renting: per-key calls per second and the duplicate window.

They count real (wall-clock) seconds, not simulated ones: they are about how fast a client calls.
A call is recorded inside the call's transaction: a provider call that is refused is rolled back whole
(nothing stored, nothing counted), so only answered calls count.
"""

from __future__ import annotations

import time

from ..store import Store
from .errors import DuplicateOperation, RateLimited
from .settings import Settings


def check(store: Store, settings: Settings, apikey: str, fingerprint: str) -> None:
    """Record one rent call; refuse it when it repeats ``fingerprint`` within the window or exceeds the rate."""
    if not (settings.rent_rate_limit or settings.duplicate_window):
        return
    real = time.time()
    with store.write() as db:
        db.execute("DELETE FROM throttle WHERE at < ?", (real - max(1.0, settings.duplicate_window),))
        if settings.duplicate_window and db.execute(
                "SELECT 1 FROM throttle WHERE apikey = ? AND op = 'rent' AND fingerprint = ? AND at > ?",
                (apikey, fingerprint, real - settings.duplicate_window)).fetchone():
            raise DuplicateOperation()
        recent = db.execute("SELECT COUNT(*) FROM throttle WHERE apikey = ? AND op = 'rent' AND at > ?",
                            (apikey, real - 1.0)).fetchone()[0]
        db.execute("INSERT INTO throttle VALUES (?, 'rent', ?, ?)", (apikey, fingerprint, real))
    if settings.rent_rate_limit and recent >= settings.rent_rate_limit:
        raise RateLimited()
