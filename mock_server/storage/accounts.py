"""Accounts and their ledger rows. Money is stored in integer units of 1/10000, so sums are exact."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from ..domain.accounts import Account, LedgerEntry, from_units, to_units
from .memo import HEADING, Memo

# columns the control API may set directly (never the balance: that moves only with a ledger row)
FLAGS = ("max_concurrent", "blocked", "restriction")


ACCOUNT_COLUMNS = "apikey, balance, max_concurrent, blocked, created_at, restriction"


def account_of(row: Sequence[Any]) -> Account:
    """An account from its ``ACCOUNT_COLUMNS``, by position."""
    apikey, balance, max_concurrent, blocked, created_at, restriction = row
    return Account(apikey, from_units(balance), max_concurrent, bool(blocked), created_at, restriction)


class Accounts:
    def __init__(self, db: sqlite3.Connection, memo: Memo | None = None) -> None:
        self.db = db
        self.memo = memo if memo is not None else Memo()

    def load(self, apikey: str) -> Account | None:
        """The key's account (None: none); inside a transaction, remembered until it is written."""
        found = self.memo.get(self.db, ("account", apikey))
        if found is not Memo.MISSING:
            return found  # type: ignore[no-any-return]
        row = self.db.execute(f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE apikey = ?", (apikey,)).fetchone()
        account = None if row is None else account_of(row)
        self.memo.put(self.db, ("account", apikey), account)
        return account

    def insert(self, apikey: str, *, now: int, max_concurrent: int | None = None, blocked: bool = False) -> None:
        """A new account with a zero balance (a starting balance is a ledger row, posted after)."""
        self.memo.forget(("account", apikey), HEADING)
        self.db.execute("INSERT INTO accounts(apikey, max_concurrent, blocked, created_at) VALUES (?, ?, ?, ?)",
                        (apikey, max_concurrent, int(blocked), now))

    def set_flags(self, apikey: str, **changes: Any) -> None:
        """Set some of ``FLAGS`` (booleans stored as 0/1)."""
        unknown = set(changes) - set(FLAGS)
        if unknown:
            raise ValueError(f"not an account flag: {sorted(unknown)[0]}")
        if changes:
            values = {k: int(v) if isinstance(v, bool) else v for k, v in changes.items()}
            sets = ", ".join(f"{name} = ?" for name in values)
            self.memo.forget(("account", apikey), HEADING)
            self.db.execute(f"UPDATE accounts SET {sets} WHERE apikey = ?", (*values.values(), apikey))

    def post(self, apikey: str, amount: Any, kind: str, *, now: int, rental_id: int | None, memo: str) -> bool:
        """Move the balance by ``amount`` and append its ledger row, unless the balance would go below
        zero (then nothing is written and the answer is False)."""
        units = to_units(amount)
        self.memo.forget(("account", apikey), HEADING)
        cur = self.db.execute("UPDATE accounts SET balance = balance + ? WHERE apikey = ? AND balance + ? >= 0",
                              (units, apikey, units))
        if cur.rowcount != 1:
            return False
        self.db.execute("INSERT INTO ledger(apikey, amount, kind, rental_id, memo, at) VALUES (?, ?, ?, ?, ?, ?)",
                        (apikey, units, kind, rental_id, memo, now))
        return True

    def paid_for(self, rental_id: int) -> Any:
        """Net amount paid for one rental (charges minus refunds), as a Decimal."""
        row = self.db.execute("SELECT COALESCE(-SUM(amount), 0) FROM ledger WHERE rental_id = ? "
                              "AND kind IN ('charge', 'refund')", (rental_id,)).fetchone()
        return from_units(row[0])

    def ledger(self, apikey: str, *, limit: int = 1000) -> list[LedgerEntry]:
        rows = self.db.execute("SELECT * FROM ledger WHERE apikey = ? ORDER BY id DESC LIMIT ?", (apikey, limit))
        return [LedgerEntry(r["id"], from_units(r["amount"]), r["kind"], r["rental_id"], r["memo"], r["at"])
                for r in rows]

    def audit(self) -> list[str]:
        """Keys whose cached balance differs from the sum of their ledger, or is negative (should be none)."""
        rows = self.db.execute(
            "SELECT a.apikey FROM accounts a LEFT JOIN (SELECT apikey, SUM(amount) s FROM ledger GROUP BY apikey) l "
            "ON l.apikey = a.apikey WHERE a.balance != COALESCE(l.s, 0) OR a.balance < 0")
        return [r[0] for r in rows]
