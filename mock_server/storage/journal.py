"""The request journal's rows (SQLite: its own store file, ``<db>.requests``; PostgreSQL: a table of the
shared database; ``mock_server/journal.py``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from .schema import migrate

_COLUMNS = ("provider", "method", "params", "outcome", "http_status", "fault", "duration_ms", "at", "logged")


class JournalRows:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def migrate(self) -> None:
        """Batches from several workers interleave, so entries are ordered by ``logged``, not by id."""
        migrate(self.db, ("journal",))

    def append(self, batch: Sequence[Sequence[Any]], *, keep: int) -> None:
        """Add rows (values in ``_COLUMNS`` order), then drop all but the newest ``keep``."""
        self.db.executemany(f"INSERT INTO journal({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                            batch)
        newest = self.db.execute("SELECT MAX(id) FROM journal").fetchone()[0] or 0
        self.db.execute("DELETE FROM journal WHERE id <= ?", (newest - keep,))

    def newest(self, *, provider: str | None = None, method: str | None = None,
               limit: int = 100) -> list[dict[str, Any]]:
        """Rows, newest first, optionally of one provider and/or method."""
        sql, args = "SELECT * FROM journal WHERE 1 = 1", []
        for name, value in (("provider", provider), ("method", method)):
            if value:
                sql += f" AND {name} = ?"
                args.append(value)
        return [dict(r) for r in self.db.execute(sql + " ORDER BY logged DESC, id DESC LIMIT ?", (*args, limit))]

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM journal").fetchone()[0])

    def clear(self) -> int:
        return int(self.db.execute("DELETE FROM journal").rowcount)
