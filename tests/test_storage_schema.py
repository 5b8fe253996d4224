"""The schema: every table the repositories use, and the migration of an older file store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mock_server.storage import Store
from mock_server.storage.schema import SCHEMA, TABLES, migrate


def test_the_schema_creates_every_table_and_is_idempotent() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.executescript(SCHEMA)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(TABLES) | {"meta", "fault_rules", "journal"} <= names


def test_an_older_store_gains_the_columns_added_since(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.execute("ALTER TABLE rentals DROP COLUMN last_online")  # as a store made before the column existed
    assert "last_online" not in {r[1] for r in db.execute("PRAGMA table_info(rentals)")}
    migrate(db)
    assert "last_online" in {r[1] for r in db.execute("PRAGMA table_info(rentals)")}
    db.close()
    Store(str(path)).close()  # opening it again migrates nothing twice
