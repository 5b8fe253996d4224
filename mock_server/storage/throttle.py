"""The throttle table: one row per recent rent call (wall-clock seconds), for rate and duplicate rules."""

from __future__ import annotations

import sqlite3


class Throttle:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def forget_before(self, at: float) -> None:
        self.db.execute("DELETE FROM throttle WHERE at < ?", (at,))

    def seen(self, apikey: str, op: str, fingerprint: str, since: float) -> bool:
        return self.db.execute("SELECT 1 FROM throttle WHERE apikey = ? AND op = ? AND fingerprint = ? AND at > ? "
                               "LIMIT 1", (apikey, op, fingerprint, since)).fetchone() is not None

    def count(self, apikey: str, op: str, since: float) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM throttle WHERE apikey = ? AND op = ? AND at > ?",
                                   (apikey, op, since)).fetchone()[0])

    def record(self, apikey: str, op: str, fingerprint: str, at: float) -> None:
        self.db.execute("INSERT INTO throttle(apikey, op, fingerprint, at) VALUES (?, ?, ?, ?)",
                        (apikey, op, fingerprint, at))
