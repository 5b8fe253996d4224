"""The transaction memo: remembered only inside a transaction, forgotten by key or whole; and the
repositories over it (meta's hot keys, accounts, the heading) read each row once per transaction, never a
stale one."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal

import pytest

from sms_rent_mock.mock_server.storage import Store
from sms_rent_mock.mock_server.storage.memo import Memo

from .storage_helpers import add_rental


@pytest.fixture
def store() -> Iterator[Store]:
    made = Store(":memory:")
    yield made
    made.close()


def statements(store: Store) -> list[str]:
    """The statements this thread's connection runs from now on."""
    seen: list[str] = []
    store.db.set_trace_callback(seen.append)
    return seen


def test_a_memo_remembers_only_inside_a_transaction_and_forgets_by_key_or_whole() -> None:
    db = sqlite3.connect(":memory:", isolation_level=None)
    memo = Memo()
    memo.put(db, "a", 1)
    assert memo.get(db, "a") is Memo.MISSING  # autocommit: every read must ask
    db.execute("BEGIN")
    memo.put(db, "a", 1)
    memo.put(db, "b", None)
    assert memo.get(db, "a") == 1 and memo.get(db, "b") is None
    memo.forget("a")
    assert memo.get(db, "a") is Memo.MISSING and memo.get(db, "b") is None
    memo.forget()
    assert memo.get(db, "b") is Memo.MISSING
    db.execute("COMMIT")


def test_a_transaction_reads_the_hot_keys_once_and_sees_its_own_writes(store: Store) -> None:
    with store.unit_of_work() as tx:
        tx.meta.put("seed", "7")
        seen = statements(store)
        assert tx.meta.get("clock") is None and tx.meta.get("seed") == "7" and tx.meta.get("catalog_rev") is None
        assert len(seen) == 1  # the three hot keys in one statement
        tx.meta.bump("catalog_rev")
        assert tx.meta.get("catalog_rev") == "1"
        head = tx.meta.heading("nobody")
        assert (head.clock, head.catalog_rev, head.account) == ("", "1", None)
        del seen[:]
        assert tx.meta.get("seed") == "7" and tx.accounts.load("nobody") is None
        assert seen == []  # the heading answered both
    store.db.set_trace_callback(None)


def test_a_new_transaction_sees_what_another_connection_committed_meanwhile(store: Store) -> None:
    with store.reading() as tx:
        assert tx.meta.get("clock") is None
    other = sqlite3.connect(store._uri, uri=True, isolation_level=None)
    other.execute("INSERT INTO meta(key, value) VALUES ('clock', 'moved')")
    other.close()
    with store.reading() as tx:
        assert tx.meta.get("clock") == "moved"
    assert store.current().meta.get("clock") == "moved"  # outside a transaction: always asked


def test_an_account_is_read_again_after_a_write_to_it(store: Store) -> None:
    with store.unit_of_work() as tx:
        tx.accounts.insert("k", now=0)
        assert tx.accounts.load("k").balance == 0  # type: ignore[union-attr]
        tx.accounts.post("k", Decimal(5), "deposit", now=0, rental_id=None, memo="")
        assert tx.accounts.load("k").balance == 5  # type: ignore[union-attr]
        tx.accounts.set_flags("k", blocked=True)
        assert tx.accounts.load("k").blocked  # type: ignore[union-attr]
        tx.snapshot.wipe(("accounts",))
        assert tx.accounts.load("k") is None


def test_a_rolled_back_write_leaves_nothing_remembered(store: Store) -> None:
    with pytest.raises(RuntimeError):
        with store.unit_of_work() as tx:
            tx.meta.put("seed", "9")
            assert tx.meta.get("seed") == "9"
            raise RuntimeError("refused")
    with store.unit_of_work() as tx:
        with pytest.raises(RuntimeError):
            with store.unit_of_work() as inner:
                inner.meta.put("seed", "9")
                assert inner.meta.get("seed") == "9"
                raise RuntimeError("refused")
        assert tx.meta.get("seed") is None


def test_a_heading_asked_again_for_the_same_key_is_read_again_only_after_a_write_to_its_rows(store: Store) -> None:
    with store.unit_of_work() as tx:
        tx.accounts.insert("k", now=0)
        first = tx.meta.heading("k")
        seen = statements(store)
        assert tx.meta.heading("k") == first and seen == []
        writes = [
            lambda: add_rental(tx, 1, expires_at=500),  # the first due event moves
            lambda: tx.rentals.update(1, expires_at=400),
            lambda: tx.accounts.post("k", Decimal(5), "deposit", now=0, rental_id=None, memo=""),
            lambda: tx.accounts.set_flags("k", blocked=True),
            lambda: tx.meta.put("clock", "moved"),
            lambda: tx.meta.bump("catalog_rev"),
        ]
        for write in writes:
            write()
            del seen[:]
            head = tx.meta.heading("k")
            assert len(seen) == 1, write  # read again, once
            del seen[:]
            assert tx.meta.heading("k") == head and seen == []
        assert (head.next_due, head.account.blocked, head.clock, head.catalog_rev) == (400, True, "moved", "1")  # type: ignore[union-attr]
        del seen[:]
        assert tx.meta.heading("other").account is None and len(seen) == 1  # another key: read
    store.db.set_trace_callback(None)
    with store.unit_of_work() as tx:
        seen = statements(store)
        tx.meta.heading("k")
        assert len(seen) == 1  # a new transaction reads it again
    store.db.set_trace_callback(None)
