"""The ``meta`` key/value table: clock, seed, catalog (with its revision), setting overrides, and the
revision counters worker processes poll to learn that their cached rules or settings are stale."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..domain.records import Heading
from .accounts import account_of
from .memo import HEADING, Memo

_UPSERT = "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
# keys nearly every unit of work reads (the first read of one in a transaction reads all three)
HOT = ("clock", "catalog_rev", "seed")
_HOT = "SELECT key, value FROM meta WHERE key IN ('clock', 'catalog_rev', 'seed')"
# the hot keys, the first due event (the partial index ``rentals_due``) and the account of a key (none: NULLs)
_HEADING = ("SELECT (SELECT value FROM meta WHERE key = 'clock'), (SELECT value FROM meta WHERE key = 'catalog_rev'), "
            "(SELECT value FROM meta WHERE key = 'seed'), (SELECT MIN(due_at) FROM rentals WHERE closed_at IS NULL), "
            "a.apikey, a.balance, a.max_concurrent, a.blocked, a.created_at, a.restriction "
            "FROM (SELECT 1 AS one) AS head LEFT JOIN accounts a ON a.apikey = ?")


class Meta:
    def __init__(self, db: sqlite3.Connection, memo: Memo | None = None) -> None:
        self.db = db
        self.memo = memo if memo is not None else Memo()

    def get(self, key: str) -> str | None:
        found = self.memo.get(self.db, ("meta", key))
        if found is not Memo.MISSING:
            return str(found) if found is not None else None
        if key in HOT:
            values = dict(self.db.execute(_HOT).fetchall())
            for name in HOT:
                self.memo.put(self.db, ("meta", name), values.get(name))
            value = values.get(key)
            return None if value is None else str(value)
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        self.memo.forget(("meta", key), HEADING)
        self.db.execute(_UPSERT, (key, value))

    def bump(self, key: str) -> None:
        """Add one to a counter (a missing one becomes 1)."""
        self.memo.forget(("meta", key), HEADING)
        self.db.execute("INSERT INTO meta(key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE "
                        "SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)", (key,))

    def heading(self, apikey: str | None = None) -> Heading:
        """What every request reads first, in one statement: the clock, the catalog revision, when the
        first open rental's next event falls due, and ``apikey``'s account (None: no such account).
        The transaction's later reads of the hot keys and of that account are answered from memory, and
        so is the heading itself, asked again for the same key before a write moved any part of it."""
        found = self.memo.get(self.db, HEADING)
        if found is not Memo.MISSING and found[0] == apikey:
            return found[1]  # type: ignore[no-any-return]
        clock, catalog_rev, seed, next_due, *row = self.db.execute(_HEADING, (apikey,)).fetchone()
        account = None if row[0] is None else account_of(row)
        for name, value in zip(HOT, (clock, catalog_rev, seed)):
            self.memo.put(self.db, ("meta", name), value)
        if apikey is not None:
            self.memo.put(self.db, ("account", apikey), account)
        heading = Heading(clock or "", catalog_rev or "", None if next_due is None else int(next_due), account)
        self.memo.put(self.db, HEADING, (apikey, heading))
        return heading

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
