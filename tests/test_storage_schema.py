"""The schema: every table the repositories use, the migration of an older file store, and SQL that
another backend could run (qmark placeholders, ON CONFLICT upserts, no SQLite-only functions)."""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import pytest

from sms_rent_mock.mock_server import storage
from sms_rent_mock.mock_server.storage import Store
from sms_rent_mock.mock_server.storage.schema import SCHEMA, TABLES, migrate


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


# SQLite-only forms another backend would not take; the PRAGMA/typeof reads in schema/snapshot/journal
# migrations are the backend's own business and are left out.
NOT_PORTABLE = re.compile(r"INSERT OR|REPLACE INTO|\bMAX\(0|\bMIN\(\w+, |(?<![:\w]):[a-z_]+\b|\$\d|IFNULL|\btypeof\(")
REPOSITORIES = ("rentals", "accounts", "stock", "inbox", "meta", "throttle", "faults", "journal")


@pytest.mark.parametrize("name", REPOSITORIES)
def test_a_repository_writes_portable_sql(name: str) -> None:
    source = (Path(storage.__file__).parent / f"{name}.py").read_text(encoding="utf-8")
    texts = [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    sql = [t for t in texts if re.search(r"\b(SELECT|INSERT|UPDATE|DELETE)\b", t)]
    assert sql, f"no SQL found in storage/{name}.py"
    assert [t for t in sql if NOT_PORTABLE.search(t)] == []


def test_the_portability_check_catches_sqlite_forms() -> None:
    for text in ("INSERT OR REPLACE INTO meta VALUES (?, ?)", "SELECT * FROM r WHERE id = :id",
                 "UPDATE stock SET count = MAX(0, count - 1)"):
        assert NOT_PORTABLE.search(text), text
    assert not NOT_PORTABLE.search("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                                   "SET value = excluded.value")
