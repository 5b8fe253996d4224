"""The accounts repository: guarded balance moves with their ledger rows, flags, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .storage_helpers import add_rental, fresh_tx

pytestmark = pytest.mark.usefixtures("backend")  # every test on SQLite and PostgreSQL


def test_a_post_moves_the_balance_with_a_ledger_row_and_never_below_zero() -> None:
    with fresh_tx() as tx:
        tx.accounts.insert("k", now=5)
        assert tx.accounts.post("k", Decimal("1.2345"), "deposit", now=6, rental_id=None, memo="in")
        assert not tx.accounts.post("k", Decimal("-2"), "charge", now=7, rental_id=None, memo="too much")
        account = tx.accounts.load("k")
        assert account is not None and account.balance == Decimal("1.2345") and account.created_at == 5
        assert [(e.amount, e.kind, e.memo) for e in tx.accounts.ledger("k")] == [(Decimal("1.2345"), "deposit", "in")]
        assert tx.accounts.load("nobody") is None
        assert tx.accounts.audit() == []


def test_paid_for_nets_charges_and_refunds_of_one_rental() -> None:
    with fresh_tx() as tx:
        tx.accounts.insert("k", now=0)
        add_rental(tx, 9)
        tx.accounts.post("k", Decimal(10), "deposit", now=0, rental_id=None, memo="")
        tx.accounts.post("k", Decimal(-4), "charge", now=0, rental_id=9, memo="")
        tx.accounts.post("k", Decimal(1), "refund", now=0, rental_id=9, memo="")
        assert tx.accounts.paid_for(9) == Decimal(3)
        assert tx.accounts.paid_for(10) == Decimal(0)
        assert [e.kind for e in tx.accounts.ledger("k", limit=2)] == ["refund", "charge"]


def test_flags_are_set_and_the_balance_is_not_one_of_them() -> None:
    with fresh_tx() as tx:
        tx.accounts.insert("k", now=0)
        tx.accounts.set_flags("k", blocked=True, max_concurrent=3, restriction="ip_denied")
        account = tx.accounts.load("k")
        assert account is not None and (account.blocked, account.max_concurrent, account.restriction) == \
            (True, 3, "ip_denied")
        with pytest.raises(ValueError, match="not an account flag: balance"):
            tx.accounts.set_flags("k", balance=5)


def test_audit_names_a_balance_its_ledger_does_not_explain() -> None:
    with fresh_tx() as tx:
        tx.accounts.insert("k", now=0)
        tx.accounts.db.execute("UPDATE accounts SET balance = 7 WHERE apikey = 'k'")
        assert tx.accounts.audit() == ["k"]
