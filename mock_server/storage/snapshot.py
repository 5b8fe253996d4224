"""Whole tables at once: export, import and wipe for state snapshots, and the read-back type check.

Table names come from ``WHOLE`` only, so no name from a document ever reaches the SQL unchecked.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..domain.ports import RowRejected
from .memo import Memo
from .schema import TABLES, columns, is_postgres

WHOLE = (*TABLES, "fault_rules")
# PostgreSQL keeps no insertion order (an updated row moves), so an export lists rows by key there;
# SQLite lists them by rowid, which for tables with an id is the same order
KEYS = {"accounts": "apikey", "ledger": "id", "stock": "provider, country, service, period, operator",
        "rentals": "id", "sms": "id", "retired_numbers": "dial, phone", "throttle": "at, apikey, op, fingerprint",
        "fault_rules": "id"}


def _table(name: str) -> str:
    if name not in WHOLE:
        raise ValueError(f"unknown table {name!r}; known: {', '.join(WHOLE)}")
    return name


class Snapshot:
    def __init__(self, db: sqlite3.Connection, memo: Memo | None = None) -> None:
        self.db = db
        self.memo = memo if memo is not None else Memo()  # forgotten whole: these write any table

    def columns(self, table: str) -> list[str]:
        return columns(self.db, _table(table))

    def rows(self, table: str) -> list[dict[str, Any]]:
        order = f" ORDER BY {KEYS[_table(table)]}" if is_postgres(self.db) else ""
        return [dict(r) for r in self.db.execute(f"SELECT * FROM {_table(table)}{order}")]

    def wipe(self, tables: tuple[str, ...]) -> None:
        self.memo.forget()
        for table in tables:
            self.db.execute(f"DELETE FROM {_table(table)}")

    def insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Insert rows as given; ``RowRejected`` names the first one with an unknown column or that the
        table's constraints refuse."""
        columns = set(self.columns(table))
        self.memo.forget()
        for i, row in enumerate(rows):
            extra = sorted(set(row) - columns)
            if extra:
                raise RowRejected(i, f"{table} has no column {extra[0]!r}", extra[0])
            names = list(row)
            try:
                self.db.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                                [row[n] for n in names])
            except sqlite3.Error as exc:
                raise RowRejected(i, f"{table} row {i}: {exc}") from None

    def not_whole_number(self) -> str | None:
        """The first value of a column declared INTEGER that is not an integer (or NULL where allowed),
        as ``table.column = value``; None when every one is. (PostgreSQL's typed columns hold no other.)"""
        if is_postgres(self.db):
            return None
        tables = [r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                "AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            for column in self.db.execute(f"PRAGMA table_info({table})"):
                name, kind, not_null = column[1], str(column[2]).upper(), column[3]
                if kind != "INTEGER":
                    continue
                allowed = "('integer')" if not_null else "('integer', 'null')"
                bad = self.db.execute(f'SELECT "{name}" FROM "{table}" WHERE typeof("{name}") NOT IN {allowed} '
                                      'LIMIT 1').fetchone()
                if bad is not None:
                    return f"{table}.{name} = {bad[0]!r}"
        return None
