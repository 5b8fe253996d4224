"""The inbox repository: SMS newest first as of `now`, batches, dropping scripted ones, read marks."""

from __future__ import annotations

import pytest

from .storage_helpers import add_rental, fresh_tx

pytestmark = pytest.mark.usefixtures("backend")  # every test on SQLite and PostgreSQL


def test_messages_are_listed_newest_first_up_to_now() -> None:
    with fresh_tx() as tx:
        first = tx.inbox.add(1, sender="s", service="a", text="one", code="1", at=10)
        second = tx.inbox.add(1, sender="s", service="a", text="two", code="2", at=20)
        tx.inbox.add(2, sender="s", service="a", text="other", code="3", at=15)
        assert second.id > first.id and second.text == "two"
        assert [m.text for m in tx.inbox.messages(1, 20)] == ["two", "one"]
        assert [m.text for m in tx.inbox.messages(1, 19)] == ["one"]
        batch = tx.inbox.messages_of([1, 2, 3], 20)
        assert {k: [m.text for m in v] for k, v in batch.items()} == {1: ["two", "one"], 2: ["other"], 3: []}
        assert tx.inbox.messages_of([], 20) == {}


def test_any_by_and_drop_after_look_at_the_arrival_time() -> None:
    with fresh_tx() as tx:
        tx.inbox.add(1, sender="s", service="a", text="t", code="", at=30)
        assert not tx.inbox.any_by(1, 29) and tx.inbox.any_by(1, 30)
        tx.inbox.drop_after(1, 29)
        assert tx.inbox.messages(1, 100) == []


def test_mark_read_counts_only_what_arrived_by_now() -> None:
    with fresh_tx() as tx:
        add_rental(tx, 1)
        tx.inbox.add(1, sender="s", service="a", text="t", code="", at=10)
        tx.inbox.add(1, sender="s", service="a", text="t", code="", at=50)
        tx.inbox.mark_read(1, 20)
        rental = tx.rentals.get(1, 60)
        assert rental is not None and rental.unread == 1
        tx.inbox.mark_read(1, 60)
        rental = tx.rentals.get(1, 60)
        assert rental is not None and rental.unread == 0
