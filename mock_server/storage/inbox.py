"""SMS rows, kept by the rental that held the number when they arrived, and each rental's read mark."""

from __future__ import annotations

import sqlite3

from ..domain.inbox import Message

_COLUMNS = "id, rental_id, sender, service, text, code, at"


class Inbox:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def messages(self, rental_id: int, now: int) -> list[Message]:
        """The rental's messages arrived by ``now``, newest first."""
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM sms WHERE rental_id = ? AND at <= ? ORDER BY at DESC, id DESC",
                               (rental_id, now))
        return [Message(*r) for r in rows]

    def messages_of(self, rental_ids: list[int], now: int) -> dict[int, list[Message]]:
        """Messages of several rentals in one query, each list newest first."""
        found: dict[int, list[Message]] = {rid: [] for rid in rental_ids}
        if rental_ids:
            marks = ",".join("?" * len(rental_ids))
            rows = self.db.execute(f"SELECT {_COLUMNS} FROM sms WHERE rental_id IN ({marks}) AND at <= ? "
                                   "ORDER BY at DESC, id DESC", (*rental_ids, now))
            for r in rows:
                found[r[1]].append(Message(*r))
        return found

    def add(self, rental_id: int, *, sender: str, service: str, text: str, code: str, at: int) -> Message:
        row = self.db.execute("INSERT INTO sms(rental_id, sender, service, text, code, at) VALUES (?, ?, ?, ?, ?, ?) "
                              "RETURNING id", (rental_id, sender, service, text, code, at)).fetchone()
        return Message(int(row[0]), rental_id, sender, service, text, code, at)

    def any_by(self, rental_id: int, at: int) -> bool:
        """Whether an SMS reached the rental by ``at``."""
        return self.db.execute("SELECT 1 FROM sms WHERE rental_id = ? AND at <= ? LIMIT 1",
                               (rental_id, at)).fetchone() is not None

    def drop_after(self, rental_id: int, at: int) -> None:
        """Forget the rental's SMS dated after ``at`` (scripted ones that never arrived)."""
        self.db.execute("DELETE FROM sms WHERE rental_id = ? AND at > ?", (rental_id, at))

    def mark_read(self, rental_id: int, now: int) -> None:
        """Everything arrived by ``now`` counts as read."""
        self.db.execute("UPDATE rentals SET last_read_sms = (SELECT COALESCE(MAX(id), rentals.last_read_sms) FROM sms "
                        "WHERE rental_id = ? AND at <= ?) WHERE id = ?", (rental_id, now, rental_id))
