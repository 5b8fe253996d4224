"""The rentals repository: derived columns, due_at kept in step, owner queries, retired numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sms_rent_mock.mock_server.domain.rentals import Rental
from sms_rent_mock.mock_server.storage.schema import is_postgres

from .storage_helpers import add_rental, fresh_tx

pytestmark = pytest.mark.usefixtures("backend")  # every test on SQLite and PostgreSQL


def test_insert_derives_due_at_from_the_guard_and_expiry() -> None:
    with fresh_tx() as tx:
        add_rental(tx, 1, expires_at=500, guard_until=100)
        add_rental(tx, 2, phone="9000000002", expires_at=500)
        assert tx.rentals.next_due(99) is None and not tx.rentals.any_due(99)
        assert tx.rentals.next_due(100) == 1
        tx.rentals.update(1, guard_until=None)
        assert tx.rentals.next_due(499) is None
        assert tx.rentals.next_due(500) == 1  # both due at 500: ties by id
        tx.rentals.update(1, closed_at=10, close_reason="closed")
        assert tx.rentals.next_due(10**9) == 2


def test_closing_clears_due_at_and_reopening_derives_it_again() -> None:
    with fresh_tx() as tx:
        add_rental(tx, 1, expires_at=500, guard_until=100)
        tx.rentals.update(1, closed_at=50, close_reason="closed")  # guard_until left set: still nothing due
        assert not tx.rentals.any_due(10**9)
        tx.rentals.update(1, closed_at=None, close_reason=None, guard_until=None, expires_at=800)
        assert tx.rentals.next_due(799) is None and tx.rentals.next_due(800) == 1


def test_a_rental_reads_back_with_its_sms_and_money() -> None:
    with fresh_tx() as tx:
        tx.accounts.insert("k", now=0)
        tx.accounts.post("k", Decimal(10), "deposit", now=0, rental_id=None, memo="")
        add_rental(tx, 7, services=("a", "b"), auto_renew=True)
        tx.accounts.post("k", Decimal("-2.5"), "charge", now=0, rental_id=7, memo="rent")
        tx.inbox.add(7, sender="s", service="a", text="t", code="1", at=50)
        tx.inbox.add(7, sender="s", service="a", text="t", code="2", at=80)
        early, late = tx.rentals.get(7, 60), tx.rentals.get(7, 100)
        assert early is not None and late is not None
        assert early.services == ("a", "b") and early.auto_renew is True and early.paid == Decimal("2.5")
        assert (early.first_sms_at, early.unread) == (50, 1)
        assert (late.first_sms_at, late.unread) == (50, 2)
        assert tx.rentals.get(8, 0) is None



def test_a_rental_added_as_the_domain_made_it_reads_back_the_same() -> None:
    made = Rental(9, "k", "p", "RU", "7", "9000000009", ("a", "b"), "op", 7, 7, True, True, created_at=10,
                  expires_at=700, guard_until=50, online_from=20, online_until=80, reload_at=None, frozen=True,
                  gone=False, last_read_sms=0, closed_at=None, close_reason=None, paid=Decimal("0.0000"),
                  first_sms_at=None, unread=0, last_online_before=15)
    with fresh_tx() as tx:
        tx.rentals.add(made)
        assert tx.rentals.get(9, 30) == made
        assert tx.rentals.next_due(60) == 9  # due_at derived from its guard

def test_owner_queries_separate_open_and_archived_rentals() -> None:
    with fresh_tx() as tx:
        add_rental(tx, 1, phone="1")
        add_rental(tx, 2, phone="2")
        add_rental(tx, 3, phone="3", apikey="other")
        tx.rentals.update(2, closed_at=5, close_reason="closed")
        assert [r.id for r in tx.rentals.open_for("k", "p", 0)] == [1]
        assert [r.id for r in tx.rentals.archived_for("k", "p", 0, skip=0, take=10)] == [2]
        assert [r.id for r in tx.rentals.of_key("k", 0)] == [1, 2]
        assert tx.rentals.count_open("k") == 1
        assert tx.rentals.provider_of(3) == "p" and tx.rentals.provider_of(4) is None
        assert tx.rentals.next_id(100) == 4


def test_a_number_is_taken_while_held_or_retired() -> None:
    with fresh_tx() as tx:
        assert tx.rentals.next_id(100) == 100
        add_rental(tx, 1, phone="555")
        assert tx.rentals.number_taken("7", "555") and tx.rentals.holding("7", "555", 0) is not None
        tx.rentals.update(1, closed_at=1, close_reason="closed")
        assert not tx.rentals.number_taken("7", "555") and tx.rentals.holding("7", "555", 0) is None
        tx.rentals.retire("7", "555")
        tx.rentals.retire("7", "555")  # twice is once
        assert tx.rentals.number_taken("7", "555")
        tx.rentals.unretire("7", "555")
        assert not tx.rentals.number_taken("7", "555")


def test_only_known_columns_are_set() -> None:
    with fresh_tx() as tx:
        add_rental(tx, 1)
        with pytest.raises(ValueError, match="not a rental column: due_at"):
            tx.rentals.update(1, due_at=0)


def test_a_key_s_open_count_reads_its_open_rentals_only() -> None:
    """A key that has closed thousands of rentals rents as fast as a new one (the index on key and close)."""
    with fresh_tx() as tx:
        add_rental(tx, 1, apikey="k", phone="9000000001")
        add_rental(tx, 2, apikey="k", phone="9000000002", closed_at=5)
        assert tx.rentals.count_open("k") == 1
        if not is_postgres(tx.db):  # SQLite's plan (PostgreSQL's planner picks by table size)
            plan = " ".join(str(row[-1]) for row in tx.db.execute(
                "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM rentals WHERE apikey = ? AND closed_at IS NULL", ("k",)))
            assert "rentals_by_key (apikey=? AND closed_at=?)" in plan
