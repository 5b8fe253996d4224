"""A psycopg connection dressed as the part of ``sqlite3.Connection`` the repositories use, so the SAME
repository classes run on PostgreSQL.

What it translates: ``?`` placeholders to ``%s``; rows readable by index, by name and as ``dict(row)``
(like ``sqlite3.Row``); ``numeric`` results (``SUM`` of BIGINT) back to ``int``; booleans to 0/1 (SQLite
stores them so); NUL characters (PostgreSQL text cannot hold them) to U+FFFD, so a hostile input is
stored rather than failing the request; and psycopg's errors to sqlite3's classes, so every
``except sqlite3.Error`` above the storage layer keeps working.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import errors as pg_errors

NUMERIC_OID = 1700
NUL_STANDIN = "\ufffd"


class Row(tuple[Any, ...]):
    """A result row: a tuple that also answers ``row["name"]`` and ``keys()`` (so ``dict(row)`` works)."""

    _names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


@lru_cache(maxsize=1024)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    """One Row subclass per result shape (a query's rows share their column names)."""
    return type("Row", (Row,), {"_names": {n: i for i, n in enumerate(names)}, "__slots__": ()})


def _row_factory(cursor: psycopg.Cursor[Any]) -> Callable[[Sequence[Any]], Row]:
    described = cursor.description or []
    kind = _row_class(tuple(c.name for c in described))
    numeric = [i for i, c in enumerate(described) if c.type_code == NUMERIC_OID]

    def make(values: Sequence[Any]) -> Row:
        if numeric:
            values = list(values)
            for i in numeric:
                value = values[i]
                if isinstance(value, Decimal) and value == value.to_integral_value():
                    values[i] = int(value)
        return kind(values)  # type: ignore[no-any-return]
    return make


@lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """qmark SQL as psycopg's format style: a literal ``%`` doubled, each ``?`` a ``%s``."""
    return sql.replace("%", "%%").replace("?", "%s")


def _value(value: Any) -> Any:
    if value is True or value is False:
        return int(value)
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", NUL_STANDIN)
    return value


def _args(params: Iterable[Any]) -> list[Any]:
    return [_value(v) for v in params]


def _sqlite_error(exc: psycopg.Error) -> sqlite3.Error:
    """The sqlite3 exception class callers already handle, carrying PostgreSQL's message."""
    if isinstance(exc, pg_errors.IntegrityError):
        kind: type[sqlite3.Error] = sqlite3.IntegrityError
    elif isinstance(exc, (psycopg.OperationalError, pg_errors.SerializationFailure)):
        kind = sqlite3.OperationalError
    elif isinstance(exc, psycopg.DataError):
        kind = sqlite3.DataError
    else:
        kind = sqlite3.DatabaseError
    return kind((str(exc).strip().splitlines() or [type(exc).__name__])[0])  # one line; DETAIL stays in the log


class Cursor:
    """The result of ``execute``: ``fetchone``, ``fetchall``, iteration, ``rowcount``, ``lastrowid``."""

    def __init__(self, cursor: psycopg.Cursor[Row]) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount
        self.lastrowid: int | None = None

    def fetchone(self) -> Row | None:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Row]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())


class Connection:
    """One psycopg connection with sqlite3's ``execute`` / ``executemany`` / ``executescript`` surface.

    An ``INSERT`` asked for ``lastrowid`` (``execute(..., lastrowid=True)``) gets ``RETURNING id`` added.
    """

    dialect = "postgres"

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw
        raw.row_factory = _row_factory  # type: ignore[assignment]

    def execute(self, sql: str, params: Iterable[Any] = (), *, lastrowid: bool = False) -> Cursor:
        args = _args(params)
        text = translate(sql) if args else sql  # without parameters psycopg leaves `%` alone
        if lastrowid and "RETURNING" not in sql.upper():
            text += " RETURNING id"
        try:
            cursor = self.raw.execute(text, args or None)  # type: ignore[arg-type]
        except psycopg.Error as exc:
            raise _sqlite_error(exc) from exc
        found = Cursor(cursor)  # type: ignore[arg-type]
        if lastrowid:
            row = found.fetchone()
            found.lastrowid = None if row is None else int(row[0])
        return found

    def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        try:
            with self.raw.cursor() as cursor:
                cursor.executemany(translate(sql), [_args(r) for r in rows])
        except psycopg.Error as exc:
            raise _sqlite_error(exc) from exc

    def executescript(self, script: str) -> None:
        """Several statements without parameters (DDL), sent as one."""
        try:
            self.raw.execute(script.encode())
        except psycopg.Error as exc:
            raise _sqlite_error(exc) from exc

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
