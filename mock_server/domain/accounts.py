"""Accounts and their ledger. A balance is the sum of its ledger rows and never goes negative.

Amounts are stored as integer units of 1/10000 (``to_units``) so sums are exact; the domain speaks Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from .errors import AccountBlocked, ApiAccessDisabled, InsufficientBalance, IpNotAllowed, MissingKey, UnknownKey

if TYPE_CHECKING:
    from .ports import Tx

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


def create(tx: Tx, apikey: str, *, balance: Decimal, now: int) -> Account:
    tx.accounts.insert(apikey, now=now)
    if balance:
        post(tx, apikey, balance, "deposit", now=now, memo="starting balance")
    account = tx.accounts.load(apikey)
    assert account is not None
    return account


def require(tx: Tx, apikey: str | None, *, strict: bool, start_balance: Decimal, now: int) -> Account:
    """The key's account, created on first use unless keys are strict; blocked accounts are refused."""
    if not apikey:
        raise MissingKey()
    account = tx.accounts.load(apikey)
    if account is None:
        if strict:
            raise UnknownKey()
        account = create(tx, apikey, balance=start_balance, now=now)
    return check(account)


def check(account: Account) -> Account:
    """The account itself, if it may call the API at all."""
    if account.blocked:
        raise AccountBlocked()
    refusal = RESTRICTIONS.get(account.restriction or "")
    if refusal is not None:
        raise refusal()
    return account


def post(tx: Tx, apikey: str, amount: Decimal, kind: str, *, now: int, rental_id: int | None = None,
         memo: str = "") -> None:
    """Append one ledger row and move the balance with it; refuses to go below zero."""
    if not tx.accounts.post(apikey, amount, kind, now=now, rental_id=rental_id, memo=memo):
        raise InsufficientBalance(-amount)


def charge(tx: Tx, apikey: str, price: Decimal, *, now: int, rental_id: int | None, memo: str) -> None:
    if price < 0:
        raise ValueError("a charge is a positive price")
    if price:
        post(tx, apikey, -price, "charge", now=now, rental_id=rental_id, memo=memo)


def refund_rental(tx: Tx, apikey: str, rental_id: int, *, now: int, memo: str, paid: Decimal | None = None) -> Decimal:
    """Give back the rental's net cost; ``paid`` is that cost when the caller read it in this transaction."""
    amount = tx.accounts.paid_for(rental_id) if paid is None else paid
    if amount > 0:
        post(tx, apikey, amount, "refund", now=now, rental_id=rental_id, memo=memo)
    return amount
