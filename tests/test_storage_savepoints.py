"""A nested write is a savepoint: it rolls back alone, and the outer transaction keeps what came before."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from sms_rent_mock.mock_server.storage.savepoints import nested


@pytest.fixture
def db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t (v INTEGER)")
    conn.execute("BEGIN")
    return conn


def values(db: sqlite3.Connection) -> list[int]:
    return [v for (v,) in db.execute("SELECT v FROM t ORDER BY v")]


def test_a_failing_nested_write_rolls_back_alone_and_restores_the_depth(db: sqlite3.Connection) -> None:
    local = threading.local()
    db.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(ValueError):
        with nested(db, local, 1):
            assert local.depth == 2
            db.execute("INSERT INTO t VALUES (2)")
            raise ValueError("refused")
    assert local.depth == 1
    assert values(db) == [1]
    assert db.in_transaction  # the outer transaction goes on


def test_a_nested_write_that_succeeds_is_kept_until_the_outer_one_ends(db: sqlite3.Connection) -> None:
    local = threading.local()
    with nested(db, local, 1):
        db.execute("INSERT INTO t VALUES (2)")
        with nested(db, local, 2):
            db.execute("INSERT INTO t VALUES (3)")
    assert local.depth == 1 and values(db) == [2, 3]
    db.execute("ROLLBACK")
    assert values(db) == []
