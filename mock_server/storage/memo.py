"""What the open transaction has already read of the rows every unit of work asks for again (the clock,
the catalog's revision, the seed, the caller's account), so each is read from the database once per
transaction, not once per domain step.

A memo belongs to one thread's connection and is good only inside one transaction: the store forgets it
when a transaction begins or ends and when a savepoint rolls back, and a repository forgets what it
writes. Nothing else can change those rows meanwhile: a write transaction holds the write lock, and a
read transaction sees one snapshot. Outside a transaction (autocommit) nothing is remembered.
"""

from __future__ import annotations

from typing import Any

# the memo's key for the last ``Meta.heading`` read, (apikey, Heading): every write to a row it is made of
# (meta, the key's account, any rental's due time) forgets it
HEADING = "heading"


class Memo:
    """``get(db, key)`` is the remembered value or ``MISSING``; ``put`` remembers one only while ``db`` is
    inside a transaction."""

    MISSING: Any = object()
    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}

    def get(self, db: Any, key: Any) -> Any:
        if not self._values or not db.in_transaction:
            return Memo.MISSING
        return self._values.get(key, Memo.MISSING)

    def put(self, db: Any, key: Any, value: Any) -> None:
        if db.in_transaction:
            self._values[key] = value

    def forget(self, *keys: Any) -> None:
        """Forget ``keys`` (written), or with none everything (a transaction began or ended, or rolled back)."""
        if not keys:
            self._values.clear()
        for key in keys:
            self._values.pop(key, None)
