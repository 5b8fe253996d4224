"""The ``meta`` key/value table: clock, seed, catalog (with its revision), setting overrides, and the
revision counters worker processes poll to learn that their cached rules or settings are stale."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..domain.records import Heading

_UPSERT = "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
# the clock, the catalog's revision and the first due event (the partial index ``rentals_due``)
_HEADING = ("SELECT (SELECT value FROM meta WHERE key = 'clock'), (SELECT value FROM meta WHERE key = 'catalog_rev'), "
            "(SELECT MIN(due_at) FROM rentals WHERE closed_at IS NULL)")


class Meta:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        self.db.execute(_UPSERT, (key, value))

    def bump(self, key: str) -> None:
        """Add one to a counter (a missing one becomes 1)."""
        self.db.execute("INSERT INTO meta(key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE "
                        "SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)", (key,))

    def heading(self) -> Heading:
        """What every request reads first, in one statement: the clock, the catalog revision, and when
        the first open rental's next event falls due."""
        clock, catalog_rev, next_due = self.db.execute(_HEADING).fetchone()
        return Heading(clock or "", catalog_rev or "", None if next_due is None else int(next_due))

    def revisions(self) -> tuple[str, str]:
        """(faults revision, settings revision), in one query."""
        found = dict(self.db.execute("SELECT key, value FROM meta WHERE key IN ('faults_rev', 'settings_rev')"))
        return found.get("faults_rev", "0"), found.get("settings_rev", "0")

    def put_catalog(self, data: dict[str, Any]) -> None:
        """Store a catalog and move its revision on (workers rebuild theirs when it moved)."""
        self.put("catalog", json.dumps(data, ensure_ascii=False))
        self.bump("catalog_rev")

    def settings_overrides(self) -> dict[str, Any]:
        raw = self.get("settings")
        found: dict[str, Any] = json.loads(raw) if raw else {}
        return found

    def put_settings_overrides(self, overrides: dict[str, Any]) -> None:
        """Store the overrides every worker applies, and move the settings revision on."""
        self.put("settings", json.dumps(overrides, default=str))
        self.bump("settings_rev")
