"""The control API route by route: what each call changes, what it answers, and how it refuses bad input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sms_rent_mock import schemas
from sms_rent_mock.fixtures.scenarios import SCENARIOS
from sms_rent_mock.mock_server.control import ControlError, MockControl

from .control_helpers import DAY, KEY, MINUTE, START, Mock, m, mock

pytestmark = pytest.mark.usefixtures("backend")  # every test on SQLite and PostgreSQL

__all__ = ["m"]


# -- reset --------------------------------------------------------------------------------------------

def test_reset_forgets_rentals_rules_journal_and_overrides(m: Mock) -> None:
    m.rent_osim()
    m.control.add_fault("smspva", "*", error="Try again later")
    m.control.patch_settings(guard_seconds=5)
    answer = m.control.reset(apikey=KEY)
    assert answer["scenario"] == "fresh" and answer["account"]["balance"] == 1000
    assert answer["account"]["rentals"] == [] and m.control.faults() == [] and m.control.journal() == []
    assert m.control.settings()["overrides"] == {} and m.world.settings.guard_seconds == 20 * MINUTE


def test_reset_puts_the_clock_back_where_the_server_started_it(m: Mock) -> None:
    m.control.advance(5 * DAY)
    assert m.control.reset()["clock"] == {"now": START, "mode": "frozen", "scale": 0.0}


def test_the_same_seed_draws_the_same_numbers_and_another_seed_others(m: Mock) -> None:
    drawn = []
    for seed in (7, 7, 8):
        m.control.reset(seed=seed)
        drawn.append(m.rent_osim()["number"])
    assert drawn[0] == drawn[1] != drawn[2]


def test_an_unknown_scenario_is_refused_and_nothing_changes(m: Mock) -> None:
    tzid = m.rent_osim()["tzid"]
    with pytest.raises(ControlError) as refused:
        m.control.reset(scenario="apocalypse")
    assert refused.value.status == 400 and refused.value.field == "scenario"
    assert m.osim_item(tzid) is not None


def test_the_reset_schema_lists_exactly_the_scenarios() -> None:
    assert schemas.load("control", "reset.request")["properties"]["scenario"]["enum"] == list(SCENARIOS)


# -- clock --------------------------------------------------------------------------------------------

def test_advance_settles_what_fell_due(m: Mock) -> None:
    tzid = m.rent_osim(days=1)["tzid"]
    assert m.control.advance(20 * MINUTE) == {"now": START + 20 * MINUTE, "mode": "frozen", "scale": 0.0}
    assert m.osim_item(tzid) is None  # no SMS within the guard window: closed and refunded
    assert m.control.account(KEY)["balance"] == 1000


def test_set_moves_the_clock_to_a_time_and_never_back(m: Mock) -> None:
    assert m.control.set_time(START + 3600)["now"] == START + 3600
    with pytest.raises(ControlError) as back:
        m.control.set_time(START)
    assert back.value.status == 400 and back.value.field == "set"
    assert m.control.clock()["now"] == START + 3600


def test_mode_switches_keep_the_current_instant(m: Mock) -> None:
    scaled = m.control.set_clock_mode("scaled", scale=60)
    assert scaled["mode"] == "scaled" and scaled["scale"] == 60 and scaled["now"] >= START
    real = m.control.set_clock_mode("real")
    assert real["mode"] == "real" and real["scale"] == 1
    frozen = m.control.set_clock_mode("frozen")
    assert frozen["mode"] == "frozen" and frozen["now"] >= START
    assert m.control.clock() == frozen


def test_scale_alone_means_scaled(m: Mock) -> None:
    assert m.client.post("/_mock/clock", json={"scale": 10}).get_json()["mode"] == "scaled"


# -- accounts -----------------------------------------------------------------------------------------

def test_put_creates_an_account_then_updates_it(m: Mock) -> None:
    created = m.client.put("/_mock/accounts/new-key", json={"balance": 12.5, "max_concurrent": 3})
    assert created.status_code == 201
    body = created.get_json()
    assert (body["balance"], body["max_concurrent"], body["max_concurrent_own"]) == (12.5, 3, 3)
    updated = m.client.put("/_mock/accounts/new-key", json={"max_concurrent": None, "blocked": True})
    assert updated.status_code == 200
    assert updated.get_json()["max_concurrent"] == m.world.settings.max_concurrent
    assert updated.get_json()["max_concurrent_own"] is None and updated.get_json()["blocked"] is True


def test_a_set_balance_is_an_adjust_row_so_the_balance_is_its_ledger_sum(m: Mock) -> None:
    m.rent_osim()
    account = m.control.put_account(KEY, balance=3.25)
    assert account["balance"] == 3.25
    assert account["ledger"][0]["kind"] == "adjust"
    assert sum(Decimal(str(e["amount"])) for e in account["ledger"]) == Decimal("3.25")
    assert m.world.audit() == []
    assert m.osim("getBalance")["balance"] == 3.25


def test_restrictions_can_be_lifted(m: Mock) -> None:
    m.control.put_account(KEY, restriction="api_disabled")
    assert m.osim("getBalance") == {"response": "API_ACCESS_DISABLED"}
    m.control.put_account(KEY, restriction=None)
    assert m.osim("getBalance")["response"] == 1


def test_an_unknown_account_is_404(m: Mock) -> None:
    answer = m.client.get("/_mock/accounts/nobody")
    assert answer.status_code == 404 and answer.get_json()["field"] == "apikey"


def test_the_account_lists_its_rentals_and_ledger_newest_first(m: Mock) -> None:
    item = m.rent_osim()
    account = m.control.account(KEY)
    assert account["open_rentals"] == 1 and account["rentals"][0]["id"] == item["tzid"]
    assert [e["kind"] for e in account["ledger"]] == ["charge", "deposit"]


# -- stock and catalog --------------------------------------------------------------------------------

def test_stock_set_to_zero_then_back(m: Mock) -> None:
    rows = m.control.set_stock("onlinesim", "RU", 0, period=7)
    assert [(r["period"], r["count"]) for r in rows] == [(7, 0)]
    assert m.osim("getRentNum", country=7, days=7) == {"response": "NO_NUMBER"}
    assert m.rent_osim(days=1)["rent"] == 1
    m.control.set_stock("onlinesim", "RU", 1, period=7)
    assert m.rent_osim(days=7)["rent"] == 7
    assert m.osim("getRentNum", country=7, days=7) == {"response": "NO_NUMBER"}


def test_smspva_stock_per_operator(m: Mock) -> None:
    m.control.set_stock("smspva", "RU", 0, service="opt6")
    m.control.set_stock("smspva", "RU", 1, service="opt6", operator="Beeline")
    assert {r["operator"]: r["count"] for r in m.control.stock("smspva", "RU") if r["service"] == "opt6"} == {
        "Beeline": 1, "MTS": 0, "Megafon": 0, "Tele2": 0}
    assert m.create_pva()["id"] == 100000
    assert m.msg("create", country="RU", service="opt6", dtype="week", dcount=1) == "No numbers available"


def test_a_missing_stock_row_is_created_when_fully_described(m: Mock) -> None:
    rows = m.control.set_stock("smspva", "RU", 2, service="opt6", operator="Yota")
    assert rows == [{"provider": "smspva", "country": "RU", "service": "opt6", "period": 0, "operator": "Yota",
                     "count": 2}]
    assert m.create_pva(provider="Yota")["id"] == 100000


@pytest.mark.parametrize(("body", "field"), [
    ({"provider": "onlinesim", "country": "RU", "service": "opt6", "count": 1}, "service"),
    ({"provider": "onlinesim", "country": "ZZ", "count": 1}, "country"),
    ({"provider": "onlinesim", "country": "RU", "period": 2, "count": 1}, "country"),
    ({"provider": "smspva", "country": "RU", "service": "opt6", "count": -1}, "count"),
    ({"provider": "smspva", "country": "RU", "service": "nope", "operator": "X", "count": 1}, "country"),
])
def test_bad_stock_changes_are_refused(m: Mock, body: dict[str, Any], field: str) -> None:
    answer = m.client.put("/_mock/stock", json=body)
    assert answer.status_code == 400 and answer.get_json()["field"] == field


def test_removing_and_adding_an_onlinesim_country(m: Mock) -> None:
    m.control.patch_catalog("onlinesim", remove={"country": "KZ"})
    assert m.osim("getRentNum", country=77, days=1) == {"response": "UNDEFINED_COUNTRY"}
    assert "77" not in m.osim("tariffsRent")
    entry = {"iso": "FI", "periods": {"1": 40, "7": 200}, "extend_day": 30, "stock": {"1": 2, "7": 2}}
    info = {"dial": "358", "name": "Finland", "pattern": "40#######", "operators": ["Elisa_FI"]}
    m.control.patch_catalog("onlinesim", add={"country": "358", "entry": entry, "country_info": info})
    item = m.osim("getRentNum", country=358, days=7)["item"]
    assert item["country"] == 358 and item["number"].startswith("40")


def test_adding_an_smspva_country_and_removing_a_service(m: Mock) -> None:
    info = {"dial": "358", "name": "Finland", "pattern": "40#######", "operators": ["Elisa_FI"]}
    entry = {"position": 20, "services": {"opt6": {"price_day": 0.5, "stock": {"Elisa_FI": 3}}}}
    m.control.patch_catalog("smspva", add={"country": "FI", "entry": entry, "country_info": info})
    assert m.create_pva(country="FI")["ccode"] == "+358"
    m.control.patch_catalog("smspva", remove={"country": "FI", "service": "opt6"})
    assert m.msg("create", country="FI", service="opt6", dtype="week", dcount=1) == "Service not found"


@pytest.mark.parametrize(("body", "status"), [
    ({"provider": "smspva"}, 400),
    ({"provider": "smspva", "remove": {}}, 400),
    ({"provider": "smspva", "remove": {"country": "XX"}}, 404),
    ({"provider": "onlinesim", "remove": {"service": "opt6"}}, 400),
    ({"provider": "smspva", "add": {"country": "XX", "entry": {"services": {}}}}, 400),
    ({"provider": "onlinesim", "add": {"country": "999", "entry": {"iso": "RU", "periods": "x"}}}, 400),
])
def test_bad_catalog_patches_are_refused_and_change_nothing(m: Mock, body: dict[str, Any], status: int) -> None:
    before = m.control.catalog()
    answer = m.client.patch("/_mock/catalog", json=body)
    assert answer.status_code == status and answer.get_json()["error"]
    assert m.control.catalog() == before


# -- SMS and rentals ----------------------------------------------------------------------------------

def test_an_sms_reaches_an_onlinesim_rental_and_confirms_it(m: Mock) -> None:
    item = m.rent_osim()
    answer = m.control.deliver_sms("7" + item["number"], "Your code: 4711", sender="Google", service="Google")
    assert answer["delivered"] and answer["provider"] == "onlinesim" and answer["rental_id"] == item["tzid"]
    assert answer["message"]["code"] == "4711"
    state = m.osim_item(item["tzid"])
    assert state is not None and state["status"] == 1
    assert state["messages"][0]["code"] == "4711" and state["messages"][0]["service"] == "Google"


def test_an_sms_to_a_number_nobody_holds_goes_nowhere(m: Mock) -> None:
    answer = m.control.deliver_sms("+79990000000", "hello")
    assert answer == {"delivered": False, "rental_id": None, "provider": None,
                      "reason": "no open rental holds this number", "message": None}


def test_an_offline_smspva_number_does_not_receive_until_it_is_online(m: Mock) -> None:
    order = m.create_pva()
    number = "7" + order["pnumber"]
    refused = m.control.deliver_sms(number, "Code 1234")
    assert not refused["delivered"] and refused["provider"] == "smspva" and "offline" in refused["reason"]
    m.pva("activate", id=order["id"])
    assert "activating" in m.control.deliver_sms(number, "Code 1234")["reason"]
    m.control.advance(m.world.settings.activation_delay)
    assert m.control.deliver_sms(number, "Code 5678", sender="FIVERR")["delivered"]
    sms = m.pva("sms", id=order["id"])["data"]
    assert [s["text"] for s in sms["SmsList"]] == ["Code 5678"]


def test_a_frozen_port_takes_no_sms_until_unfrozen(m: Mock) -> None:
    item = m.rent_osim()
    assert m.control.patch_rental(item["tzid"], frozen=True)["frozen"] is True
    assert m.osim_item(item["tzid"])["freeze"] is True  # type: ignore[index]
    assert "frozen" in m.control.deliver_sms("7" + item["number"], "Code 1111")["reason"]
    assert m.osim("portUnFreeze", tzid=item["tzid"]) == {"response": 1}
    assert m.control.deliver_sms("7" + item["number"], "Code 1111")["delivered"]


def test_a_gone_number_is_retired_for_good(m: Mock) -> None:
    order = m.create_pva()
    gone = m.control.patch_rental(order["id"], gone=True)
    assert gone["gone"] and gone["line"] == "gone"
    assert m.order(order["id"])["state"] == -1  # type: ignore[index]
    back = m.control.patch_rental(order["id"], gone=False)
    assert back["line"] == "offline"


def test_an_unknown_rental_is_404(m: Mock) -> None:
    assert m.client.get("/_mock/rentals/5").status_code == 404
    assert m.client.patch("/_mock/rentals/5", json={"frozen": True}).status_code == 404


# -- settings -----------------------------------------------------------------------------------------

def test_settings_overrides_apply_at_once_and_null_drops_them(m: Mock) -> None:
    answer = m.control.patch_settings(guard_seconds=60, auto_sms=10)
    assert answer["overrides"] == {"guard_seconds": 60, "auto_sms": 10}
    assert answer["settings"]["guard_seconds"] == 60
    tzid = m.rent_osim()["tzid"]
    m.control.advance(10)
    assert m.osim_item(tzid)["status"] == 1  # type: ignore[index]  # the scripted SMS arrived
    assert m.control.patch_settings(auto_sms=None)["overrides"] == {"guard_seconds": 60}


@pytest.mark.parametrize(("body", "field"), [({"nope": 1}, "nope"), ({"guard_seconds": -1}, "guard_seconds"),
                                             ({"failure_rate": 2}, "failure_rate"), ({}, None)])
def test_bad_settings_are_refused(m: Mock, body: dict[str, Any], field: str | None) -> None:
    answer = m.client.patch("/_mock/settings", json=body)
    assert answer.status_code == 400 and answer.get_json()["field"] == field


# -- journal ------------------------------------------------------------------------------------------

def test_the_journal_filters_and_limits_newest_first(m: Mock) -> None:
    m.osim("getBalance")
    m.rent_osim()
    m.pva("orders")
    m.osim("getRentNum", country=7, days=2)
    assert [e["method"] for e in m.control.journal()] == ["getRentNum", "orders", "getRentNum", "getBalance"]
    assert [e["outcome"] for e in m.control.journal(method="getRentNum")] == ["UNDEFINED_DAYS", "ok"]
    assert [e["method"] for e in m.control.journal(provider="smspva")] == ["orders"]
    assert len(m.control.journal(limit=1)) == 1
    entry = m.control.journal(limit=1)[0]
    assert entry["params"] == {"apikey": "***", "country": "7", "days": "2"} and entry["at"] == START


def test_a_bearer_apikey_is_redacted_too(m: Mock) -> None:
    m.client.get("/api/getBalance.php", headers={"Authorization": "Bearer secret"})
    assert m.control.journal()[0]["params"] == {"apikey": "***"}


def test_the_journal_keeps_only_the_newest_rows() -> None:
    small = mock(JOURNAL_SIZE=3)
    for _ in range(5):
        small.osim("getBalance")
    ids = [e["id"] for e in small.control.journal()]
    assert ids == [5, 4, 3]
    assert small.control.clear_journal() == {"deleted": 3} and small.control.journal() == []


def test_a_zero_journal_size_journals_nothing() -> None:
    quiet = mock(JOURNAL_SIZE=0)
    quiet.osim("getBalance")
    assert quiet.control.journal() == []


def test_a_bad_limit_is_refused(m: Mock) -> None:
    assert m.client.get("/_mock/requests?limit=x").get_json()["field"] == "limit"


# -- state --------------------------------------------------------------------------------------------

def _answers(m: Mock) -> list[Any]:
    """A broad sample of provider answers for the ``with_history`` account."""
    return [m.osim("getRentState"), m.osim("getBalance"), m.osim("tariffsRent"), m.pva("orders"),
            m.pva("get_rent_history"), m.pva("restore_user_precalc", id=100002), m.pva("getdata", country="RU"),
            m.pva("sms", id=100006)]


def test_export_reset_import_gives_back_identical_answers(m: Mock) -> None:
    m.control.reset(scenario="with_history", apikey=KEY)
    m.control.add_fault("onlinesim", "portReload", error="TRY_AGAIN_LATER", times=1)
    m.control.patch_settings(guard_seconds=120)
    m.control.set_stock("onlinesim", "RU", 3, period=30)
    state = m.control.export_state()
    before = _answers(m)
    m.control.reset(seed=99)
    assert _answers(m) != before
    m.control.import_state(state)
    assert _answers(m) == before
    assert m.osim("portReload", tzid=100000) == {"response": "TRY_AGAIN_LATER"}
    assert m.control.settings()["overrides"] == {"guard_seconds": 120}


def test_an_import_answers_the_state_in_force_and_exports_the_same(m: Mock) -> None:
    m.control.reset(scenario="busy_account", apikey=KEY)
    state = m.control.export_state()
    assert m.control.import_state(state) == state == m.control.export_state()


def test_import_into_another_mock_moves_the_whole_situation(m: Mock) -> None:
    m.control.reset(scenario="with_history", apikey=KEY)
    other = mock()
    other.control.import_state(m.control.export_state())
    assert _answers(other) == _answers(m)


def test_a_state_whose_ledger_disagrees_is_refused_and_nothing_changes(m: Mock) -> None:
    m.control.reset(scenario="fresh", apikey=KEY)
    state = m.control.export_state()
    state["tables"]["accounts"][0]["balance"] += 1
    with pytest.raises(ControlError) as refused:
        m.control.import_state(state)
    assert refused.value.status == 400 and "ledger" in refused.value.error
    assert m.control.account(KEY)["balance"] == 1000


@pytest.mark.parametrize(("change", "field"), [
    (lambda s: s["tables"].update({"secrets": []}), "tables.secrets"),
    (lambda s: s["tables"]["accounts"][0].update({"vip": 1}), "tables.accounts.0.vip"),
    (lambda s: s.update({"version": 2}), "version"),
    (lambda s: s.pop("clock"), "clock"),
])
def test_a_malformed_state_is_refused(m: Mock, change: Any, field: str) -> None:
    m.control.reset(apikey=KEY)
    state = m.control.export_state()
    change(state)
    answer = m.client.put("/_mock/state", json=state)
    assert answer.status_code == 400 and answer.get_json()["field"] == field


# -- bodies, auth, switches ---------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("POST", "/_mock/reset", {"seed": -1}, "seed"),
    ("POST", "/_mock/reset", {"extra": 1}, "extra"),
    ("POST", "/_mock/clock", {}, None),
    ("POST", "/_mock/clock", {"advance": -5}, "advance"),
    ("POST", "/_mock/clock", {"advance": 1, "set": 2}, None),
    ("POST", "/_mock/clock", {"mode": "warp"}, "mode"),
    ("PUT", "/_mock/accounts/x", {"balance": -1}, "balance"),
    ("PUT", "/_mock/accounts/x", {"restriction": "banned"}, "restriction"),
    ("PUT", "/_mock/accounts/x", [1, 2], None),
    ("POST", "/_mock/sms", {"number": "79001234567"}, "text"),
    ("POST", "/_mock/sms", {"number": "not-a-number", "text": "x"}, "number"),
    ("PATCH", "/_mock/rentals/100000", {}, None),
])
def test_a_body_that_breaks_its_schema_is_a_400_naming_the_field(m: Mock, method: str, path: str, body: Any,
                                                                   field: str | None) -> None:
    answer = m.client.open(path, method=method, json=body)
    assert answer.status_code == 400
    assert answer.get_json()["field"] == field and answer.get_json()["error"]


def test_a_body_that_is_not_json_is_a_400(m: Mock) -> None:
    answer = m.client.post("/_mock/sms", data="number=1", content_type="application/json")
    assert answer.status_code == 400 and answer.get_json() == {"error": "the body is not valid JSON", "field": None}


def test_a_form_body_is_refused_for_its_content_type(m: Mock) -> None:
    answer = m.client.post("/_mock/sms", data="number=1", content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 415 and answer.get_json()["field"] == "Content-Type"


def test_a_token_guards_the_control_api_only() -> None:
    guarded = mock(CONTROL_TOKEN="s3cret")
    assert guarded.client.get("/_mock/clock").status_code == 401
    assert guarded.client.get("/_mock/clock", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert guarded.control.clock()["now"] == START
    assert guarded.osim("getBalance")["response"] == 1


def test_without_control_the_routes_are_gone_and_providers_still_work() -> None:
    plain = mock(CONTROL=False)
    assert plain.client.get("/_mock/clock").status_code == 404
    assert plain.client.post("/_mock/reset", json={}).status_code == 404
    assert plain.osim("getBalance")["response"] == 1


def test_every_control_schema_is_a_valid_draft7_schema() -> None:
    from jsonschema import Draft7Validator

    for name in schemas.names("control"):
        Draft7Validator.check_schema(schemas.load("control", name))


def test_the_client_is_importable_from_control_and_raises_control_errors(m: Mock) -> None:
    assert MockControl.__module__ == "sms_rent_mock.mock_server.client"
    with pytest.raises(ControlError) as refused:
        m.control.put_account(KEY, balance=-5)
    assert refused.value.status == 400 and refused.value.field == "balance"
