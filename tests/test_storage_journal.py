"""The journal repository: batches appended, the newest kept, filtered newest first."""

from __future__ import annotations

import pytest

from .storage_helpers import fresh_tx

pytestmark = pytest.mark.usefixtures("backend")  # every test on SQLite and PostgreSQL


def entry(method: str, logged: float) -> tuple[object, ...]:
    return ("p", method, "{}", "ok", 200, None, 1.0, 0, logged)


def test_append_keeps_the_newest_and_lists_them_by_logged_time() -> None:
    with fresh_tx() as tx:
        tx.journal.migrate()
        tx.journal.append([entry("a", 3.0), entry("b", 1.0), entry("a", 2.0)], keep=2)
        assert tx.journal.count() == 2
        assert [(r["method"], r["logged"]) for r in tx.journal.newest()] == [("a", 2.0), ("b", 1.0)]
        assert [r["method"] for r in tx.journal.newest(method="a")] == ["a"]
        assert tx.journal.newest(provider="q") == [] and len(tx.journal.newest(limit=1)) == 1
        assert tx.journal.clear() == 2 and tx.journal.count() == 0
