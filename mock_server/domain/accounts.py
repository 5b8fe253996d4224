"""Accounts and their ledger. A balance is the sum of its ledger rows and never goes negative.

Amounts are stored as integer units of 1/10000 so sums in SQL are exact; the domain speaks Decimal.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal

from .errors import AccountBlocked, ApiAccessDisabled, InsufficientBalance, IpNotAllowed, MissingKey, UnknownKey

RESTRICTIONS = {"api_disabled": ApiAccessDisabled, "ip_denied": IpNotAllowed, "identification_required": None}

UNIT = Decimal("0.0001")


def to_units(amount: Decimal) -> int:
    return int((amount / UNIT).to_integral_value())


def from_units(units: int) -> Decimal:
    return (Decimal(units) * UNIT).quantize(UNIT)


@dataclass(frozen=True, slots=True)
class Account:
    apikey: str
    balance: Decimal
    max_concurrent: int | None
    blocked: bool
    created_at: int
    restriction: str | None = None


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: int
    amount: Decimal
    kind: str
    rental_id: int | None
    memo: str
    at: int


def load(db: sqlite3.Connection, apikey: str) -> Account | None:
    row = db.execute("SELECT * FROM accounts WHERE apikey = ?", (apikey,)).fetchone()
    if row is None:
        return None
    return Account(row["apikey"], from_units(row["balance"]), row["max_concurrent"], bool(row["blocked"]),
                   row["created_at"], row["restriction"])


def create(db: sqlite3.Connection, apikey: str, *, balance: Decimal, now: int,
           max_concurrent: int | None = None, blocked: bool = False) -> Account:
    db.execute("INSERT INTO accounts(apikey, max_concurrent, blocked, created_at) VALUES (?, ?, ?, ?)",
               (apikey, max_concurrent, int(blocked), now))
    if balance:
        post(db, apikey, balance, "deposit", now=now, memo="starting balance")
    account = load(db, apikey)
    assert account is not None
    return account


def require(db: sqlite3.Connection, apikey: str | None, *, strict: bool, start_balance: Decimal, now: int) -> Account:
    """The key's account, created on first use unless keys are strict; blocked accounts are refused."""
    if not apikey:
        raise MissingKey()
    account = load(db, apikey)
    if account is None:
        if strict:
            raise UnknownKey()
        if not db.in_transaction:
            raise RuntimeError("accounts are created inside a write transaction")
        account = create(db, apikey, balance=start_balance, now=now)
    return check(account)


def check(account: Account) -> Account:
    """The account itself, if it may call the API at all."""
    if account.blocked:
        raise AccountBlocked()
    refusal = RESTRICTIONS.get(account.restriction or "")
    if refusal is not None:
        raise refusal()
    return account


def post(db: sqlite3.Connection, apikey: str, amount: Decimal, kind: str, *, now: int,
         rental_id: int | None = None, memo: str = "") -> None:
    """Append one ledger row and move the cached balance with it; refuses to go below zero."""
    units = to_units(amount)
    cur = db.execute("UPDATE accounts SET balance = balance + ? WHERE apikey = ? AND balance + ? >= 0",
                     (units, apikey, units))
    if cur.rowcount != 1:
        raise InsufficientBalance(-amount)
    db.execute("INSERT INTO ledger(apikey, amount, kind, rental_id, memo, at) VALUES (?, ?, ?, ?, ?, ?)",
               (apikey, units, kind, rental_id, memo, now))


def charge(db: sqlite3.Connection, apikey: str, price: Decimal, *, now: int, rental_id: int | None, memo: str) -> None:
    if price < 0:
        raise ValueError("a charge is a positive price")
    if price:
        post(db, apikey, -price, "charge", now=now, rental_id=rental_id, memo=memo)


def paid_for(db: sqlite3.Connection, rental_id: int) -> Decimal:
    """Net amount an account paid for one rental (charges minus refunds)."""
    row = db.execute("SELECT COALESCE(-SUM(amount), 0) FROM ledger WHERE rental_id = ? AND kind IN ('charge', 'refund')",
                     (rental_id,)).fetchone()
    return from_units(row[0])


def refund_rental(db: sqlite3.Connection, apikey: str, rental_id: int, *, now: int, memo: str) -> Decimal:
    amount = paid_for(db, rental_id)
    if amount > 0:
        post(db, apikey, amount, "refund", now=now, rental_id=rental_id, memo=memo)
    return amount


def ledger(db: sqlite3.Connection, apikey: str, *, limit: int = 1000) -> list[LedgerEntry]:
    rows = db.execute("SELECT * FROM ledger WHERE apikey = ? ORDER BY id DESC LIMIT ?", (apikey, limit))
    return [LedgerEntry(r["id"], from_units(r["amount"]), r["kind"], r["rental_id"], r["memo"], r["at"]) for r in rows]


def audit(db: sqlite3.Connection) -> list[str]:
    """Keys whose cached balance differs from the sum of their ledger, or is negative (should be none)."""
    rows = db.execute(
        "SELECT a.apikey FROM accounts a LEFT JOIN (SELECT apikey, SUM(amount) s FROM ledger GROUP BY apikey) l "
        "ON l.apikey = a.apikey WHERE a.balance != COALESCE(l.s, 0) OR a.balance < 0")
    return [r[0] for r in rows]
