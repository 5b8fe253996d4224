"""Stock rows: free numbers per (market, country, service, period, operator). Taking one is a guarded decrement."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from ..domain.stock import StockRow

_UPSERT = ("INSERT INTO stock(provider, country, service, period, operator, count) VALUES (?, ?, ?, ?, ?, ?) "
           "ON CONFLICT(provider, country, service, period, operator) DO UPDATE SET count = excluded.count")
_KEYS = ("service", "period", "operator")


def _where(provider: str, country: str | None, filters: dict[str, object]) -> tuple[str, list[object]]:
    """``provider = ? [AND country = ?] [AND service/period/operator = ?]`` for the filters that are not None."""
    where, args = "provider = ?", [provider]
    for name, value in (("country", country), *((k, filters.get(k)) for k in _KEYS)):
        if value is not None:
            where += f" AND {name} = ?"
            args.append(value)
    return where, args


class Stock:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def fill(self, rows: Iterable[tuple[str, str, str, int, str, int]]) -> None:
        """Set these rows' counts, creating the rows that do not exist."""
        self.db.executemany(_UPSERT, rows)

    def set_count(self, provider: str, country: str, service: str, period: int, operator: str, count: int) -> None:
        self.db.execute(_UPSERT, (provider, country, service, period, operator, count))

    def rows(self, provider: str, country: str | None = None) -> list[StockRow]:
        where, args = _where(provider, country, {})
        found = self.db.execute("SELECT provider, country, service, period, operator, count FROM stock "
                                f"WHERE {where} ORDER BY country, service, period, operator", args)
        return [StockRow(*r) for r in found]

    def set_matching(self, count: int, provider: str, country: str, **filters: object) -> int:
        """Set every row matching the filters (None: any value) to ``count``; returns how many matched."""
        where, args = _where(provider, country, filters)
        return int(self.db.execute(f"UPDATE stock SET count = ? WHERE {where}", [count, *args]).rowcount)

    def delete(self, provider: str, country: str | None = None, *, service: str | None = None) -> None:
        """Remove the rows of a market, optionally only one country's and/or one service's."""
        where, args = _where(provider, country, {"service": service})
        self.db.execute(f"DELETE FROM stock WHERE {where}", args)

    def empty_all(self) -> None:
        self.db.execute("UPDATE stock SET count = 0")

    def best_operator(self, provider: str, country: str, services: Sequence[str], period: int,
                      operator: str | None) -> tuple[str, int] | None:
        """(operator, free numbers) of the operator that has the most numbers able to serve every service,
        or None when no operator (or not the one asked for) offers them all."""
        marks = ",".join("?" * len(services))
        sql = (f"SELECT operator, MIN(count) AS free FROM stock WHERE provider = ? AND country = ? "
               f"AND period = ? AND service IN ({marks})")
        args: list[object] = [provider, country, period, *services]
        if operator is not None:
            sql += " AND operator = ?"
            args.append(operator)
        sql += " GROUP BY operator HAVING COUNT(*) = ? ORDER BY free DESC, operator LIMIT 1"
        args.append(len(set(services)))
        best = self.db.execute(sql, args).fetchone()
        return None if best is None else (str(best[0]), int(best[1]))

    def decrement(self, provider: str, country: str, service: str, period: int, operator: str) -> bool:
        """Take one number from a row that has one left; False when it has none."""
        cur = self.db.execute("UPDATE stock SET count = count - 1 WHERE provider = ? AND country = ? AND service = ? "
                              "AND period = ? AND operator = ? AND count > 0",
                              (provider, country, service, period, operator))
        return cur.rowcount == 1

    def add(self, provider: str, country: str, service: str, period: int, operator: str, delta: int) -> None:
        """Move a row's count by ``delta``, never below zero."""
        self.db.execute("UPDATE stock SET count = CASE WHEN count + ? < 0 THEN 0 ELSE count + ? END "
                        "WHERE provider = ? AND country = ? AND service = ? AND period = ? AND operator = ?",
                        (delta, delta, provider, country, service, period, operator))
