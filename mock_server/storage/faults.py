"""The fault_rules table, shared by every worker (rules themselves: ``mock_server/faults.py``)."""

from __future__ import annotations

import sqlite3
from typing import Any


class FaultRules:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def add(self, *, provider: str, method: str, match: str, remaining: int | None, probability: float | None,
            action: str, created_at: int) -> dict[str, Any]:
        """Store a rule (``match`` and ``action`` as JSON text); returns its row."""
        row = self.db.execute("INSERT INTO fault_rules(provider, method, match, remaining, probability, action, "
                              "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
                              (provider, method, match, remaining, probability, action, created_at)).fetchone()
        return dict(row)

    def live(self) -> list[dict[str, Any]]:
        """Rules with uses left, oldest first."""
        return [dict(r) for r in self.db.execute("SELECT * FROM fault_rules WHERE remaining IS NULL OR remaining > 0 "
                                                 "ORDER BY id")]

    def all(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.execute("SELECT * FROM fault_rules ORDER BY id")]

    def delete(self, rule_id: int | None = None) -> int:
        """Delete one rule, or all of them; returns how many went."""
        if rule_id is None:
            return int(self.db.execute("DELETE FROM fault_rules").rowcount)
        return int(self.db.execute("DELETE FROM fault_rules WHERE id = ?", (rule_id,)).rowcount)

    def use(self, rule_id: int, *, counted: bool) -> int | None:
        """Count one hit; a ``counted`` rule also uses up one of its remaining times (none left: no hit).
        Returns the uses left afterwards (None: unlimited), or -1 when the rule could not be used."""
        if not counted:
            cur = self.db.execute("UPDATE fault_rules SET hits = hits + 1 WHERE id = ?", (rule_id,))
            return None if cur.rowcount == 1 else -1
        row = self.db.execute("UPDATE fault_rules SET hits = hits + 1, remaining = remaining - 1 "
                              "WHERE id = ? AND remaining > 0 RETURNING remaining", (rule_id,)).fetchone()
        return -1 if row is None else int(row[0])
