"""Named scenarios: each prepares the account it promises, the same way on every reset."""

from __future__ import annotations

import ast
import inspect
from typing import Any

import pytest

from sms_rent_mock import fixtures
import sms_rent_mock.fixtures.scenarios
from sms_rent_mock.fixtures.scenarios import SCENARIOS

from .control_helpers import DAY, KEY, MINUTE, START, Mock, m, mock

__all__ = ["m"]


def _rentals(account: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in account["rentals"]}


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_ends_on_the_reset_clock_with_a_sound_ledger(m: Mock, name: str) -> None:
    answer = m.control.reset(scenario=name, apikey=KEY)
    assert answer["clock"]["now"] == START and answer["account"]["apikey"] == KEY
    assert m.world.audit() == []


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_plays_the_same_on_every_reset(m: Mock, name: str) -> None:
    m.control.reset(scenario=name, apikey=KEY)
    first = m.control.export_state()
    m.osim("getRentNum", apikey="someone", country=7, days=1)
    m.control.advance(DAY)
    m.control.reset(scenario=name, apikey=KEY)
    assert m.control.export_state() == first


def test_scenarios_play_the_same_whatever_the_servers_transient_settings(m: Mock) -> None:
    strict = mock(RENT_RATE_LIMIT=1, DUPLICATE_WINDOW=3600, AUTO_SMS=30, STRICT_KEYS=True)
    m.control.reset(scenario="with_history", apikey=KEY)
    strict.control.reset(scenario="with_history", apikey=KEY)
    assert strict.control.export_state()["tables"] == m.control.export_state()["tables"]
    assert strict.osim("getBalance")["response"] == 1  # the scenario created the key under strict keys


def test_fresh_is_an_account_with_the_starting_balance(m: Mock) -> None:
    account = m.control.reset(scenario="fresh", apikey=KEY)["account"]
    assert (account["balance"], account["rentals"]) == (1000, [])


def test_low_balance_keeps_the_history_with_one_unit_left(m: Mock) -> None:
    account = m.control.reset(scenario="low_balance", apikey=KEY)["account"]
    assert account["balance"] == 1 and len(account["rentals"]) == 7
    assert m.osim("getRentNum", country=7, days=1) == {"response": "WARNING_LOW_BALANCE"}


def test_no_stock_empties_both_providers(m: Mock) -> None:
    m.control.reset(scenario="no_stock", apikey=KEY)
    assert {r["count"] for p in ("onlinesim", "smspva") for r in m.control.stock(p)} == {0}
    assert m.osim("getRentNum", country=7, days=1) == {"response": "NO_NUMBER"}


def test_busy_account_holds_its_limit(m: Mock) -> None:
    account = m.control.reset(scenario="busy_account", apikey=KEY)["account"]
    assert (account["max_concurrent"], account["open_rentals"]) == (2, 2)
    assert [r["provider"] for r in account["rentals"]] == ["onlinesim", "smspva"]
    assert m.msg("create", country="RU", service="opt6", dtype="week", dcount=1) == "Too many active orders"


def test_with_history_has_the_documented_rentals(m: Mock) -> None:
    rentals = _rentals(m.control.reset(scenario="with_history", apikey=KEY)["account"])
    summary = {i: (r["provider"], r["open"], r["close_reason"], r["confirmed"]) for i, r in rentals.items()}
    assert summary == {
        100000: ("onlinesim", True, None, True),
        100001: ("onlinesim", False, "expired", True),
        100002: ("smspva", False, "expired", True),
        100003: ("smspva", False, "expired", True),
        100004: ("onlinesim", False, "closed", True),
        100005: ("smspva", False, "deleted", False),
        100006: ("smspva", True, None, True),
    }
    assert rentals[100000]["auto_renew"] and rentals[100003]["gone"]
    assert len(m.osim_item(100000)["messages"]) == 2  # type: ignore[index]
    assert m.order(100006)["hasnewsms"] is True  # type: ignore[index]
    history = {h["orderId"]: h["isAvailForRestore"] for h in m.pva("get_rent_history", take=10)["data"]}
    assert history == {100002: True, 100003: False, 100005: False}
    assert m.pva("restore_user_precalc", id=100002)["data"]["outdays"] == 3


def test_expiring_has_rentals_just_before_their_end(m: Mock) -> None:
    rentals = _rentals(m.control.reset(scenario="expiring", apikey=KEY)["account"])
    assert rentals[100000]["seconds_left"] == 2 * DAY and m.order(100000)["canprolong"] is True  # type: ignore[index]
    assert rentals[100001]["seconds_left"] == 30 * MINUTE and not rentals[100001]["auto_renew"]
    m.control.advance(30 * MINUTE)
    assert m.osim_item(100001) is None


def test_a_scenario_touches_only_its_own_account(m: Mock) -> None:
    m.rent_osim(apikey="bystander")
    m.control.reset(scenario="busy_account", apikey="someone")
    assert m.osim("getRentState", apikey="bystander")["list"] == []  # a reset is a fresh world
    assert m.control.account("someone")["open_rentals"] == 2
    assert m.client.get(f"/_mock/accounts/{KEY}").status_code == 404


def test_the_scenarios_module_imports_nothing_of_the_server() -> None:
    tree = ast.parse(inspect.getsource(fixtures.scenarios))
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(name.startswith("sms_rent_mock.mock_server") for name in imported)
