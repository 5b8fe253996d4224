"""The storage layer: all SQL lives here. ``sqlite.Store`` is the SQLite backend (connections and
transactions); each other module is the repository of one table family, reached as ``tx.<name>``."""

from __future__ import annotations

from .schema import TABLES
from .sqlite import Store, StoreError, Tx, check_path

__all__ = ["TABLES", "Store", "StoreError", "Tx", "check_path"]
