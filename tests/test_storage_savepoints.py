"""A nested write is a savepoint: it rolls back alone, and the outer transaction keeps what came before."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from sms_rent_mock.mock_server.storage.memo import Memo
from sms_rent_mock.mock_server.storage.savepoints import nested


@pytest.fixture
def db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t (v INTEGER)")
    conn.execute("BEGIN")
    return conn


def values(db: sqlite3.Connection) -> list[int]:
    return [v for (v,) in db.execute("SELECT v FROM t ORDER BY v")]


def thread_state() -> threading.local:
    """What a store keeps per thread: the savepoint depth and the transaction's memo."""
    local = threading.local()
    local.memo = Memo()
    return local


def test_a_failing_nested_write_rolls_back_alone_and_restores_the_depth(db: sqlite3.Connection) -> None:
    local = thread_state()
    db.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(ValueError):
        with nested(db, local, 1):
            assert local.depth == 2
            db.execute("INSERT INTO t VALUES (2)")
            raise ValueError("refused")
    assert local.depth == 1
    assert values(db) == [1]
    assert db.in_transaction  # the outer transaction goes on


def test_a_failing_nested_write_forgets_what_the_transaction_remembered(db: sqlite3.Connection) -> None:
    local = thread_state()
    local.memo.put(db, "v", 2)
    with pytest.raises(ValueError):
        with nested(db, local, 1):
            raise ValueError("refused")
    assert local.memo.get(db, "v") is Memo.MISSING


def test_a_nested_write_that_succeeds_keeps_the_memo(db: sqlite3.Connection) -> None:
    local = thread_state()
    with nested(db, local, 1):
        local.memo.put(db, "v", 2)
    assert local.memo.get(db, "v") == 2


def test_a_nested_write_that_succeeds_is_kept_until_the_outer_one_ends(db: sqlite3.Connection) -> None:
    local = thread_state()
    with nested(db, local, 1):
        db.execute("INSERT INTO t VALUES (2)")
        with nested(db, local, 2):
            db.execute("INSERT INTO t VALUES (3)")
    assert local.depth == 1 and values(db) == [2, 3]
    db.execute("ROLLBACK")
    assert values(db) == []
