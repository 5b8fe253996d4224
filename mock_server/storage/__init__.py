"""The storage layer: all SQL lives here. ``sqlite.Store`` is the SQLite backend, ``postgres.PgStore``
the PostgreSQL one (same repositories, through ``pg_adapter``); each other module is the repository of
one table family, reached as ``tx.<name>``. ``open_store`` picks the backend from ``--db``."""

from __future__ import annotations

from typing import Any

from .schema import TABLES
from .sqlite import Store, StoreError, Tx, check_path

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
NO_DRIVER = "install the PostgreSQL driver: pip install 'sms-rent-mock[postgres]'"


def is_postgres(db: str) -> bool:
    """Whether ``--db`` names a PostgreSQL database (a URL) rather than an SQLite file."""
    return db.startswith(POSTGRES_SCHEMES)


def open_store(db: str) -> Any:
    """A ``postgresql://`` URL opens the shared PostgreSQL store, anything else the SQLite file (or
    ``:memory:``); both satisfy ``domain.ports.Store``."""
    if not is_postgres(db):
        return Store(db)
    try:
        from .postgres import PgStore
    except ImportError:
        raise StoreError(db, "needs psycopg, which is not installed", NO_DRIVER) from None
    return PgStore(db)


__all__ = ["TABLES", "Store", "StoreError", "Tx", "check_path", "is_postgres", "open_store"]
