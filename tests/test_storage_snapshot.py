"""The snapshot repository: whole tables out and in, rows refused by name, the INTEGER type check."""

from __future__ import annotations

import sqlite3

import pytest

from sms_rent_mock.mock_server.domain.ports import RowRejected

from .storage_helpers import fresh_tx

pytestmark = pytest.mark.usefixtures("backend")  # every test on SQLite and PostgreSQL


def test_rows_go_out_and_back_in_as_stored() -> None:
    with fresh_tx() as tx:
        tx.accounts.insert("k", now=3)
        rows = tx.snapshot.rows("accounts")
        tx.snapshot.wipe(("accounts",))
        assert tx.snapshot.rows("accounts") == []
        tx.snapshot.insert("accounts", rows)
        assert tx.snapshot.rows("accounts") == rows and "apikey" in tx.snapshot.columns("accounts")


def test_an_unknown_column_or_a_refused_row_names_its_index() -> None:
    with fresh_tx() as tx:
        with pytest.raises(RowRejected) as unknown:
            tx.snapshot.insert("accounts", [{"apikey": "a", "created_at": 0}, {"apikey": "b", "nope": 1}])
        assert (unknown.value.index, unknown.value.column) == (1, "nope")
        with pytest.raises(RowRejected) as refused:
            tx.snapshot.insert("stock", [{"provider": "p", "country": "RU", "service": "", "period": 0,
                                          "operator": "", "count": -1}])
        assert refused.value.index == 0 and "check" in refused.value.message.lower()


def test_only_known_tables_are_touched() -> None:
    with fresh_tx() as tx:
        with pytest.raises(ValueError, match="unknown table 'meta'"):
            tx.snapshot.rows("meta")


def test_a_text_in_an_integer_column_is_found(backend: str) -> None:
    with fresh_tx() as tx:
        assert tx.snapshot.not_whole_number() is None
        tx.accounts.insert("k", now=0)
        if backend == "postgres":  # a typed column refuses it outright, as the sqlite3 error callers handle
            with pytest.raises(sqlite3.DataError, match="bigint"):
                tx.snapshot.db.execute("UPDATE accounts SET created_at = 'soon'")
            return
        tx.snapshot.db.execute("UPDATE accounts SET created_at = 'soon'")
        assert tx.snapshot.not_whole_number() == "accounts.created_at = 'soon'"


def test_every_whole_table_has_an_export_order() -> None:
    from sms_rent_mock.mock_server.storage.snapshot import KEYS, WHOLE

    assert set(KEYS) == set(WHOLE)


def test_an_export_keeps_its_order_after_rows_change() -> None:
    with fresh_tx() as tx:
        for key in ("a", "b"):
            tx.accounts.insert(key, now=0)
        tx.accounts.set_flags("a", blocked=True)  # PostgreSQL writes an updated row anew, elsewhere
        assert [r["apikey"] for r in tx.snapshot.rows("accounts")] == ["a", "b"]
