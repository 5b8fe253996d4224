"""The meta repository: upserts, revision counters, the catalog and the setting overrides."""

from __future__ import annotations

import pytest

from .storage_helpers import fresh_tx

pytestmark = pytest.mark.usefixtures("backend")  # every test on SQLite and PostgreSQL


def test_put_replaces_and_get_reads_text() -> None:
    with fresh_tx() as tx:
        assert tx.meta.get("clock") is None
        tx.meta.put("clock", "a")
        tx.meta.put("clock", "b")
        assert tx.meta.get("clock") == "b"


def test_counters_start_at_one_and_revisions_default_to_zero() -> None:
    with fresh_tx() as tx:
        assert tx.meta.revisions() == ("0", "0")
        tx.meta.bump("faults_rev")
        tx.meta.bump("faults_rev")
        assert tx.meta.revisions() == ("2", "0")


def test_a_stored_catalog_moves_its_revision() -> None:
    with fresh_tx() as tx:
        tx.meta.put_catalog({"countries": {"RU": {"name": "Россия"}}})
        tx.meta.put_catalog({"countries": {}})
        assert tx.meta.get("catalog_rev") == "2" and tx.meta.get("catalog") == '{"countries": {}}'


def test_setting_overrides_round_trip_and_move_the_settings_revision() -> None:
    with fresh_tx() as tx:
        assert tx.meta.settings_overrides() == {}
        tx.meta.put_settings_overrides({"auto_sms": 5})
        assert tx.meta.settings_overrides() == {"auto_sms": 5} and tx.meta.revisions() == ("0", "1")


def test_the_heading_reads_clock_catalog_revision_first_due_event_and_the_account() -> None:
    from .storage_helpers import add_rental

    with fresh_tx() as tx:
        tx.meta.put("clock", "c")
        assert tx.meta.heading("nobody") == type(tx.meta.heading())("c", "", None, None)
        add_rental(tx, 1, expires_at=500, phone="9000000001")
        add_rental(tx, 2, expires_at=300, phone="9000000002", guard_until=200)
        add_rental(tx, 3, expires_at=100, phone="9000000003", closed_at=50)
        tx.accounts.insert("k", now=5)
        head = tx.meta.heading("k")
        assert head.next_due == 200 and head.account is not None and head.account.apikey == "k"
        assert head.account == tx.accounts.load("k")
