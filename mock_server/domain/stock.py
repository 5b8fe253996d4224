"""Free numbers per (market, country, service, period, operator). Taking one is a guarded decrement."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import OutOfStock, UnknownOperator


@dataclass(frozen=True, slots=True)
class StockRow:
    provider: str
    country: str
    service: str
    period: int
    operator: str
    count: int


def fill(db: sqlite3.Connection, rows: Iterable[tuple[str, str, str, int, str, int]]) -> None:
    db.executemany("INSERT OR REPLACE INTO stock VALUES (?, ?, ?, ?, ?, ?)", rows)


def set_count(db: sqlite3.Connection, provider: str, country: str, service: str, period: int, operator: str,
              count: int) -> None:
    db.execute("INSERT OR REPLACE INTO stock VALUES (?, ?, ?, ?, ?, ?)",
               (provider, country, service, period, operator, count))


def rows(db: sqlite3.Connection, provider: str, country: str | None = None) -> list[StockRow]:
    sql = "SELECT * FROM stock WHERE provider = ?" + (" AND country = ?" if country else "")
    args = (provider, country) if country else (provider,)
    return [StockRow(*r) for r in db.execute(sql + " ORDER BY country, service, period, operator", args)]


def take(db: sqlite3.Connection, provider: str, country: str, services: Sequence[str], period: int,
         operator: str | None) -> str:
    """Take one number able to serve every service; returns the operator it came from.

    With no operator asked for, the operator with the most free numbers for all the services wins.
    """
    marks = ",".join("?" * len(services))
    sql = (f"SELECT operator, MIN(count) AS free, COUNT(*) AS n FROM stock WHERE provider = ? AND country = ? "
           f"AND period = ? AND service IN ({marks})")
    args: list[object] = [provider, country, period, *services]
    if operator is not None:
        sql += " AND operator = ?"
        args.append(operator)
    sql += " GROUP BY operator HAVING n = ? ORDER BY free DESC, operator LIMIT 1"
    args.append(len(set(services)))
    best = db.execute(sql, args).fetchone()
    if best is None and operator is not None:
        raise UnknownOperator(f"operator {operator!r} is not offered here")
    if best is None or best["free"] <= 0:
        raise OutOfStock()
    for service in services:
        cur = db.execute("UPDATE stock SET count = count - 1 WHERE provider = ? AND country = ? AND service = ? "
                         "AND period = ? AND operator = ? AND count > 0",
                         (provider, country, service, period, best["operator"]))
        if cur.rowcount != 1:  # pragma: no cover - guarded by the SELECT inside the same transaction
            raise OutOfStock()
    return str(best["operator"])


def give_back(db: sqlite3.Connection, provider: str, country: str, services: Sequence[str], period: int,
              operator: str, *, delta: int = 1) -> None:
    """A released number returns to the pool (or, with delta -1, a restored one leaves it, never below 0)."""
    for service in services or ("",):
        db.execute("UPDATE stock SET count = MAX(0, count + ?) WHERE provider = ? AND country = ? AND service = ? "
                   "AND period = ? AND operator = ?", (delta, provider, country, service, period, operator))
