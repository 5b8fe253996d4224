"""The fault_rules repository: rules stored as given, listed while they have uses left, used up."""

from __future__ import annotations

import pytest

from .storage_helpers import fresh_tx

pytestmark = pytest.mark.usefixtures("backend")  # every test on SQLite and PostgreSQL


def add(tx: object, remaining: int | None) -> int:
    row = tx.faults.add(provider="p", method="m", match="{}", remaining=remaining,  # type: ignore[attr-defined]
                        probability=None, action='{"drop": true}', created_at=1)
    return int(row["id"])


def test_a_counted_rule_is_used_up_and_then_no_longer_live() -> None:
    with fresh_tx() as tx:
        once, always = add(tx, 1), add(tx, None)
        assert [r["id"] for r in tx.faults.live()] == [once, always]
        assert tx.faults.use(once, counted=True) == 0
        assert tx.faults.use(once, counted=True) == -1
        assert tx.faults.use(always, counted=False) is None
        assert [r["id"] for r in tx.faults.live()] == [always]
        assert {r["id"]: r["hits"] for r in tx.faults.all()} == {once: 1, always: 1}


def test_delete_one_or_all() -> None:
    with fresh_tx() as tx:
        first, _ = add(tx, None), add(tx, None)
        assert tx.faults.delete(first) == 1 and tx.faults.delete(first) == 0
        assert tx.faults.delete() == 1 and tx.faults.all() == []
