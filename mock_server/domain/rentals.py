"""One rented number over its life: the record and its derived states.

Nothing here is scheduled. The record keeps timestamps (created, expires, guard, online window,
reload) and every state a client sees is computed from them and the clock's `now` when read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

DAY = 86_400
FIRST_RENTAL_ID = 100_000  # rental ids are a fixed sequence from here (deterministic by seed)


class LineState(StrEnum):
    """Whether a number that must be switched on can take SMS right now."""

    OFFLINE = "offline"
    ACTIVATING = "activating"
    ONLINE = "online"
    GONE = "gone"


class CloseReason(StrEnum):
    CLOSED = "closed"            # the owner ended it for good
    DELETED = "deleted"          # the owner removed it; it stays in the archive
    EXPIRED = "expired"          # its time ran out without renewal
    UNCONFIRMED = "unconfirmed"  # no SMS within the guard window: closed and refunded


@dataclass(frozen=True, slots=True)
class Rental:
    id: int
    apikey: str
    provider: str
    country: str
    dial: str
    phone: str
    services: tuple[str, ...]
    operator: str
    period: int
    days: int
    auto_renew: bool
    needs_activation: bool
    created_at: int
    expires_at: int
    guard_until: int | None
    online_from: int | None
    online_until: int | None
    reload_at: int | None
    frozen: bool
    gone: bool
    last_read_sms: int
    closed_at: int | None
    close_reason: str | None
    paid: Decimal
    first_sms_at: int | None
    unread: int
    last_online_before: int | None = None  # end of an earlier online window (re-activated or restored since)

    @property
    def number(self) -> str:
        """Full number: calling code and national number, digits only."""
        return self.dial + self.phone

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def confirmed(self) -> bool:
        return self.first_sms_at is not None

    def guarding(self, now: int) -> bool:
        """Still inside the guard window and waiting for its first SMS."""
        return self.guard_until is not None and not self.confirmed and now < self.guard_until

    def seconds_left(self, now: int) -> int:
        """What the countdown shows: the guard window while it runs, else the time to expiry."""
        end = self.guard_until if self.guarding(now) and self.guard_until is not None else self.expires_at
        return max(0, end - now)

    def line_state(self, now: int) -> LineState:
        if self.gone:
            return LineState.GONE
        if not self.needs_activation:
            return LineState.ONLINE
        if self.online_from is None or self.online_until is None or now >= self.online_until:
            return LineState.OFFLINE
        return LineState.ACTIVATING if now < self.online_from else LineState.ONLINE

    def last_online(self, now: int) -> int:
        """Last moment the number was online (0 if it never was)."""
        if not self.needs_activation:
            return now
        if self.online_from is None or self.online_until is None or now < self.online_from:
            return self.last_online_before or 0
        return min(now, self.online_until)

    def reload_wait(self, now: int, cooldown: int) -> int:
        """Minutes until a port reload is allowed again (0: allowed now)."""
        if self.reload_at is None:
            return 0
        return max(0, math.ceil((self.reload_at + cooldown - now) / 60))

    def can_receive(self, now: int) -> bool:
        return self.is_open and not self.frozen and self.line_state(now) is LineState.ONLINE


def due_at(guard_until: int | None, expires_at: int) -> int:
    return expires_at if guard_until is None else min(guard_until, expires_at)
