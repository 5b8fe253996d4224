"""One rented number over its life: the record, its derived states, and the SQL that moves it.

Nothing here is scheduled. The record keeps timestamps (created, expires, guard, online window,
reload) and every state a client sees is computed from them and the clock's `now` when read.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .accounts import from_units

DAY = 86_400


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


_SELECT = """
SELECT r.*,
  (SELECT MIN(at) FROM sms WHERE rental_id = r.id AND at <= :now) AS first_sms_at,
  (SELECT COUNT(*) FROM sms WHERE rental_id = r.id AND at <= :now AND id > r.last_read_sms) AS unread,
  (SELECT COALESCE(-SUM(amount), 0) FROM ledger WHERE rental_id = r.id AND kind IN ('charge', 'refund')) AS paid_units
FROM rentals r
"""


def _from_row(row: sqlite3.Row) -> Rental:
    return Rental(
        row["id"], row["apikey"], row["provider"], row["country"], row["dial"], row["phone"],
        tuple(s for s in row["services"].split(",") if s), row["operator"], row["period"], row["days"],
        bool(row["auto_renew"]), bool(row["needs_activation"]), row["created_at"], row["expires_at"],
        row["guard_until"], row["online_from"], row["online_until"], row["reload_at"], bool(row["frozen"]),
        bool(row["gone"]), row["last_read_sms"], row["closed_at"], row["close_reason"],
        from_units(row["paid_units"]), row["first_sms_at"], row["unread"], row["last_online"],
    )


def get(db: sqlite3.Connection, rental_id: int, now: int) -> Rental | None:
    row = db.execute(_SELECT + "WHERE r.id = :id", {"now": now, "id": rental_id}).fetchone()
    return None if row is None else _from_row(row)


def open_for(db: sqlite3.Connection, apikey: str, provider: str, now: int) -> list[Rental]:
    rows = db.execute(_SELECT + "WHERE r.apikey = :key AND r.provider = :provider AND r.closed_at IS NULL ORDER BY r.id",
                      {"now": now, "key": apikey, "provider": provider})
    return [_from_row(r) for r in rows]


def archived_for(db: sqlite3.Connection, apikey: str, provider: str, now: int, *, skip: int, take: int) -> list[Rental]:
    rows = db.execute(
        _SELECT + "WHERE r.apikey = :key AND r.provider = :provider AND r.closed_at IS NOT NULL "
        "ORDER BY r.closed_at DESC, r.id DESC LIMIT :take OFFSET :skip",
        {"now": now, "key": apikey, "provider": provider, "skip": skip, "take": take})
    return [_from_row(r) for r in rows]


def holding(db: sqlite3.Connection, dial: str, phone: str, now: int) -> Rental | None:
    """The open rental that holds this number now, if any."""
    row = db.execute(_SELECT + "WHERE r.dial = :dial AND r.phone = :phone AND r.closed_at IS NULL",
                     {"now": now, "dial": dial, "phone": phone}).fetchone()
    return None if row is None else _from_row(row)


def count_open(db: sqlite3.Connection, apikey: str) -> int:
    return db.execute("SELECT COUNT(*) FROM rentals WHERE apikey = ? AND closed_at IS NULL", (apikey,)).fetchone()[0]


def number_taken(db: sqlite3.Connection, dial: str, phone: str) -> bool:
    """Held by an open rental, or retired from the system."""
    return db.execute(
        "SELECT EXISTS(SELECT 1 FROM rentals WHERE dial = ? AND phone = ? AND closed_at IS NULL) "
        "OR EXISTS(SELECT 1 FROM retired_numbers WHERE dial = ? AND phone = ?)", (dial, phone, dial, phone)
    ).fetchone()[0] == 1


def next_id(db: sqlite3.Connection, first: int) -> int:
    return db.execute("SELECT COALESCE(MAX(id) + 1, ?) FROM rentals", (first,)).fetchone()[0]


def due_at(guard_until: int | None, expires_at: int) -> int:
    return expires_at if guard_until is None else min(guard_until, expires_at)


def update(db: sqlite3.Connection, rental_id: int, **fields: object) -> None:
    """Set columns of one rental; keeps ``due_at`` in step with the guard and expiry it depends on."""
    assignments = ", ".join(f"{name} = :{name}" for name in fields)
    db.execute(f"UPDATE rentals SET {assignments} WHERE id = :id", {**fields, "id": rental_id})
    if {"guard_until", "expires_at", "closed_at"} & fields.keys():
        db.execute("UPDATE rentals SET due_at = CASE WHEN closed_at IS NOT NULL THEN NULL "
                   "WHEN guard_until IS NULL THEN expires_at ELSE MIN(guard_until, expires_at) END WHERE id = ?",
                   (rental_id,))
