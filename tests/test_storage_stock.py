"""The stock repository: upserts, filtered updates, the best operator, guarded decrements."""

from __future__ import annotations

import pytest

from .storage_helpers import fresh_tx

pytestmark = pytest.mark.usefixtures("backend")  # every test on SQLite and PostgreSQL


def counts(tx: object, provider: str = "p") -> dict[tuple[str, str, int, str], int]:
    return {(r.country, r.service, r.period, r.operator): r.count for r in tx.stock.rows(provider)}  # type: ignore[attr-defined]


def test_fill_creates_and_overwrites_rows() -> None:
    with fresh_tx() as tx:
        tx.stock.fill([("p", "RU", "a", 0, "x", 2), ("p", "RU", "a", 0, "y", 1)])
        tx.stock.fill([("p", "RU", "a", 0, "x", 5)])
        tx.stock.set_count("p", "KZ", "", 7, "", 3)
        assert counts(tx) == {("KZ", "", 7, ""): 3, ("RU", "a", 0, "x"): 5, ("RU", "a", 0, "y"): 1}
        assert [r.country for r in tx.stock.rows("p", "KZ")] == ["KZ"] and tx.stock.rows("q") == []


def test_set_matching_and_delete_use_only_the_filters_given() -> None:
    with fresh_tx() as tx:
        tx.stock.fill([("p", "RU", "a", 0, "x", 2), ("p", "RU", "b", 0, "x", 2), ("p", "KZ", "a", 0, "x", 2)])
        assert tx.stock.set_matching(9, "p", "RU", service="a") == 1
        assert tx.stock.set_matching(9, "p", "RU", operator="nobody") == 0
        assert counts(tx)[("RU", "a", 0, "x")] == 9 and counts(tx)[("RU", "b", 0, "x")] == 2
        tx.stock.delete("p", service="a")
        assert list(counts(tx)) == [("RU", "b", 0, "x")]
        tx.stock.empty_all()
        assert counts(tx) == {("RU", "b", 0, "x"): 0}


def test_the_best_operator_serves_every_service_and_has_most_numbers() -> None:
    with fresh_tx() as tx:
        tx.stock.fill([("p", "RU", "a", 0, "x", 5), ("p", "RU", "b", 0, "x", 1),
                       ("p", "RU", "a", 0, "y", 3), ("p", "RU", "b", 0, "y", 3), ("p", "RU", "a", 0, "z", 9)])
        assert tx.stock.best_operator("p", "RU", ("a", "b"), 0, None) == ("y", 3)
        assert tx.stock.best_operator("p", "RU", ("a",), 0, None) == ("z", 9)
        assert tx.stock.best_operator("p", "RU", ("a", "b"), 0, "x") == ("x", 1)
        assert tx.stock.best_operator("p", "RU", ("a", "b"), 0, "z") is None


def test_a_decrement_stops_at_zero_and_add_never_goes_below_it() -> None:
    with fresh_tx() as tx:
        tx.stock.fill([("p", "RU", "a", 0, "x", 1)])
        assert tx.stock.decrement("p", "RU", "a", 0, "x")
        assert not tx.stock.decrement("p", "RU", "a", 0, "x")
        tx.stock.add("p", "RU", "a", 0, "x", -1)
        assert counts(tx)[("RU", "a", 0, "x")] == 0
        tx.stock.add("p", "RU", "a", 0, "x", 2)
        assert counts(tx)[("RU", "a", 0, "x")] == 2
