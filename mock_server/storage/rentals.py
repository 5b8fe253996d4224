"""Rental rows, and the retired numbers no rental may draw again.

Reads return ``domain.rentals.Rental`` with the derived columns it needs (first SMS, unread count,
net paid) computed in the same query.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from ..domain.accounts import from_units
from ..domain.rentals import Rental
from .memo import HEADING, Memo

# the columns a Rental is made of, in its field order (read by position: a store migrated from an older
# version has its added columns in another place, so never ``r.*``)
_FIELDS = ("id", "apikey", "provider", "country", "dial", "phone", "services", "operator", "period", "days",
           "auto_renew", "needs_activation", "created_at", "expires_at", "guard_until", "online_from", "online_until",
           "reload_at", "frozen", "gone", "last_read_sms", "closed_at", "close_reason")
# the two placeholders are `now` (``_select(now, ...)``): SMS dated later have not arrived yet
_SELECT = f"""
SELECT {", ".join("r." + name for name in _FIELDS)},
  (SELECT COALESCE(-SUM(amount), 0) FROM ledger WHERE rental_id = r.id AND kind IN ('charge', 'refund')) AS paid_units,
  (SELECT MIN(at) FROM sms WHERE rental_id = r.id AND at <= ?) AS first_sms_at,
  (SELECT COUNT(*) FROM sms WHERE rental_id = r.id AND at <= ? AND id > r.last_read_sms) AS unread,
  r.last_online
FROM rentals r
"""

# columns a caller may set; due_at follows guard_until, expires_at and closed_at by itself
COLUMNS = ("apikey", "provider", "country", "dial", "phone", "services", "operator", "period", "days", "auto_renew",
           "needs_activation", "created_at", "expires_at", "guard_until", "online_from", "online_until", "reload_at",
           "frozen", "gone", "last_read_sms", "closed_at", "close_reason", "last_online")
_DUE = ("UPDATE rentals SET due_at = CASE WHEN closed_at IS NOT NULL THEN NULL "
        "WHEN guard_until IS NULL THEN expires_at "
        "WHEN guard_until < expires_at THEN guard_until ELSE expires_at END WHERE id = ?")


def _from_row(row: Sequence[Any]) -> Rental:
    """A row of ``_SELECT`` (by position: name look-ups cost more than the rest of the read)."""
    (rid, apikey, provider, country, dial, phone, services, operator, period, days, auto_renew, needs_activation,
     created_at, expires_at, guard_until, online_from, online_until, reload_at, frozen, gone, last_read_sms,
     closed_at, close_reason, paid_units, first_sms_at, unread, last_online) = row
    return Rental(
        rid, apikey, provider, country, dial, phone, tuple(s for s in services.split(",") if s), operator, period,
        days, bool(auto_renew), bool(needs_activation), created_at, expires_at, guard_until, online_from,
        online_until, reload_at, bool(frozen), bool(gone), last_read_sms, closed_at, close_reason,
        from_units(paid_units), first_sms_at, unread, last_online,
    )


def _args(now: int, *rest: object) -> tuple[object, ...]:
    """Arguments for ``_SELECT`` + a WHERE clause: `now` for its two subqueries, then the clause's."""
    return (now, now, *rest)


def _stored(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(COLUMNS)
    if unknown:
        raise ValueError(f"not a rental column: {sorted(unknown)[0]}")
    out = {k: int(v) if isinstance(v, bool) else v for k, v in fields.items()}
    if "services" in out and not isinstance(out["services"], str):
        out["services"] = ",".join(out["services"])
    return out


class Rentals:
    """``memo``: a rental written forgets the transaction's heading (its first due event may have moved)."""

    def __init__(self, db: sqlite3.Connection, memo: Memo | None = None) -> None:
        self.db = db
        self.memo = memo if memo is not None else Memo()

    def get(self, rental_id: int, now: int) -> Rental | None:
        row = self.db.execute(_SELECT + "WHERE r.id = ?", _args(now, rental_id)).fetchone()
        return None if row is None else _from_row(row)

    def of_key(self, apikey: str, now: int) -> list[Rental]:
        """Every rental of the key, open or not, oldest first."""
        rows = self.db.execute(_SELECT + "WHERE r.apikey = ? ORDER BY r.id", _args(now, apikey))
        return [_from_row(r) for r in rows]

    def open_for(self, apikey: str, provider: str, now: int) -> list[Rental]:
        rows = self.db.execute(
            _SELECT + "WHERE r.apikey = ? AND r.provider = ? AND r.closed_at IS NULL ORDER BY r.id",
            _args(now, apikey, provider))
        return [_from_row(r) for r in rows]

    def archived_for(self, apikey: str, provider: str, now: int, *, skip: int, take: int) -> list[Rental]:
        rows = self.db.execute(
            _SELECT + "WHERE r.apikey = ? AND r.provider = ? AND r.closed_at IS NOT NULL "
            "ORDER BY r.closed_at DESC, r.id DESC LIMIT ? OFFSET ?", _args(now, apikey, provider, take, skip))
        return [_from_row(r) for r in rows]

    def holding(self, dial: str, phone: str, now: int) -> Rental | None:
        """The open rental that holds this number now, if any."""
        row = self.db.execute(_SELECT + "WHERE r.dial = ? AND r.phone = ? AND r.closed_at IS NULL",
                              _args(now, dial, phone)).fetchone()
        return None if row is None else _from_row(row)

    def provider_of(self, rental_id: int) -> str | None:
        row = self.db.execute("SELECT provider FROM rentals WHERE id = ?", (rental_id,)).fetchone()
        return None if row is None else str(row[0])

    def count_open(self, apikey: str) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM rentals WHERE apikey = ? AND closed_at IS NULL",
                                   (apikey,)).fetchone()[0])

    def number_taken(self, dial: str, phone: str) -> bool:
        """Held by an open rental, or retired from the system."""
        return self.db.execute(
            "SELECT 1 FROM rentals WHERE dial = ? AND phone = ? AND closed_at IS NULL "
            "UNION ALL SELECT 1 FROM retired_numbers WHERE dial = ? AND phone = ? LIMIT 1",
            (dial, phone, dial, phone)).fetchone() is not None

    def next_id(self, first: int) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(id) + 1, ?) FROM rentals", (first,)).fetchone()[0])

    def any_due(self, now: int) -> bool:
        """Whether an open rental has an event due by ``now`` (the partial index ``rentals_due``)."""
        return self.db.execute("SELECT 1 FROM rentals WHERE closed_at IS NULL AND due_at <= ? LIMIT 1",
                               (now,)).fetchone() is not None

    def next_due(self, now: int) -> int | None:
        """The open rental whose event fell due first (ties by id), if any."""
        row = self.db.execute("SELECT id FROM rentals WHERE closed_at IS NULL AND due_at <= ? "
                              "ORDER BY due_at, id LIMIT 1", (now,)).fetchone()
        return None if row is None else int(row[0])

    def insert(self, rental_id: int, **fields: Any) -> None:
        """A new rental row; ``due_at`` is derived from its guard and expiry."""
        values = _stored(fields)
        guard, expires = values.get("guard_until"), values["expires_at"]
        values["due_at"] = expires if guard is None else min(guard, expires)
        names = ", ".join(("id", *values))
        marks = ", ".join("?" * (len(values) + 1))
        self.memo.forget(HEADING)
        self.db.execute(f"INSERT INTO rentals({names}) VALUES ({marks})", (rental_id, *values.values()))

    def add(self, rental: Rental) -> None:
        """Store a new rental as the domain made it (its derived fields are read, never stored)."""
        self.insert(rental.id, **{name: getattr(rental, name) for name in _FIELDS[1:]},
                    last_online=rental.last_online_before)

    def update(self, rental_id: int, **fields: Any) -> None:
        """Set columns of one rental; keeps ``due_at`` in step with the guard and expiry it depends on."""
        values = _stored(fields)
        if values.get("closed_at") is not None:
            values["due_at"] = None  # nothing falls due on a closed rental: no second statement
        sets = ", ".join(f"{name} = ?" for name in values)
        self.memo.forget(HEADING)
        self.db.execute(f"UPDATE rentals SET {sets} WHERE id = ?", (*values.values(), rental_id))
        if "due_at" not in values and {"guard_until", "expires_at", "closed_at"} & values.keys():
            self.db.execute(_DUE, (rental_id,))

    def retire(self, dial: str, phone: str) -> None:
        self.db.execute("INSERT INTO retired_numbers(dial, phone) VALUES (?, ?) ON CONFLICT DO NOTHING", (dial, phone))

    def unretire(self, dial: str, phone: str) -> None:
        self.db.execute("DELETE FROM retired_numbers WHERE dial = ? AND phone = ?", (dial, phone))
