"""The throttle repository: recent calls by key, operation and fingerprint."""

from __future__ import annotations

import pytest

from .storage_helpers import fresh_tx

pytestmark = pytest.mark.usefixtures("backend")  # every test on SQLite and PostgreSQL


def test_calls_are_counted_and_seen_within_a_window_and_forgotten_after() -> None:
    with fresh_tx() as tx:
        tx.throttle.record("k", "rent", "f1", 10.0)
        tx.throttle.record("k", "rent", "f2", 11.0)
        tx.throttle.record("other", "rent", "f1", 11.0)
        assert tx.throttle.count("k", "rent", 9.5) == 2 and tx.throttle.count("k", "rent", 10.5) == 1
        assert tx.throttle.seen("k", "rent", "f1", 9.0) and not tx.throttle.seen("k", "rent", "f1", 10.0)
        tx.throttle.forget_before(10.5)
        assert tx.throttle.count("k", "rent", 0) == 1 and tx.throttle.count("other", "rent", 0) == 1
