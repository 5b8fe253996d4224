"""Fault rules in process: matching, counting, every action, sharing between apps on one store, and
how the journal records what the client saw."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from sms_rent_mock.mock_server.control import ControlError, MockControl
from sms_rent_mock.mock_server.faults import DroppedConnection

from .conftest import make_app
from .control_helpers import KEY, Mock, m
from .live import serving

__all__ = ["m"]

RENT = {"country": 7, "days": 1}


def test_an_onlinesim_error_comes_n_times_then_normal_service(m: Mock) -> None:
    m.control.add_fault("onlinesim", "getRentNum", error="NO_NUMBER", times=2)
    assert m.osim("getRentNum", **RENT) == {"response": "NO_NUMBER"}
    assert m.osim("getRentNum", **RENT) == {"response": "NO_NUMBER"}
    assert m.osim("getRentNum", **RENT)["response"] == 1
    assert m.control.faults() == []


def test_an_smspva_error_uses_the_smspva_envelope(m: Mock) -> None:
    m.control.add_fault("smspva", "orders", error="Try again later", times=1)
    assert m.pva("orders") == {"status": 0, "msg": "Try again later"}
    assert m.pva("orders") == {"status": 1, "data": []}


def test_a_faulted_call_changes_no_state(m: Mock) -> None:
    stock = m.control.stock("onlinesim", "RU")
    m.control.add_fault("onlinesim", "getRentNum", error="TRY_AGAIN_LATER", times=1)
    m.osim("getRentNum", **RENT)
    with pytest.raises(ControlError) as unknown:
        m.control.account(KEY)  # not even the account was created
    assert unknown.value.status == 404
    assert m.control.stock("onlinesim", "RU") == stock


def test_match_restricts_a_rule_to_requests_with_those_parameters(m: Mock) -> None:
    m.control.add_fault("onlinesim", "getRentNum", match={"country": 77}, error="NO_NUMBER")
    assert m.osim("getRentNum", country=77, days=1) == {"response": "NO_NUMBER"}
    assert m.osim("getRentNum", country=7, days=1)["response"] == 1


def test_match_can_name_the_apikey(m: Mock) -> None:
    m.control.add_fault("smspva", "*", match={"apikey": "victim"}, error="Account is blocked")
    assert m.pva("orders", apikey="victim") == {"status": 0, "msg": "Account is blocked"}
    assert m.pva("orders")["status"] == 1


def test_a_star_rule_matches_every_method_of_its_provider_only(m: Mock) -> None:
    m.control.add_fault("onlinesim", "*", error="TRY_AGAIN_LATER")
    assert m.osim("getBalance") == {"response": "TRY_AGAIN_LATER"}
    assert m.osim("tariffsRent") == {"response": "TRY_AGAIN_LATER"}
    assert m.pva("orders")["status"] == 1


def test_a_rule_never_applies_to_the_control_api(m: Mock) -> None:
    m.control.add_fault("onlinesim", "*", drop=True)
    m.control.add_fault("smspva", "*", http_status=500)
    assert m.control.clock()["now"] > 0


@pytest.mark.parametrize(("probability", "fired"), [(0.0, 0), (1.0, 3)])
def test_probability_zero_never_fires_and_one_always_does(m: Mock, probability: float, fired: int) -> None:
    m.control.add_fault("onlinesim", "getBalance", error="TRY_AGAIN_LATER", probability=probability, times=5)
    answers = [m.osim("getBalance") for _ in range(3)]
    assert sum(a == {"response": "TRY_AGAIN_LATER"} for a in answers) == fired
    assert m.control.faults()[0]["times"] == 5 - fired


def test_an_http_status_rule_answers_an_error_page_or_the_given_body(m: Mock) -> None:
    m.control.add_fault("onlinesim", "getBalance", http_status=502, times=1)
    m.control.add_fault("smspva", "orders", http_status=503, body='{"error": "maintenance"}', times=1)
    page = m.client.get("/api/getBalance.php", query_string={"apikey": KEY})
    assert page.status_code == 502 and b"502" in page.data and page.mimetype == "text/html"
    answer = m.client.get("/api/rent.php", query_string={"method": "orders", "apikey": KEY})
    assert answer.status_code == 503 and answer.get_json() == {"error": "maintenance"}


def test_a_body_rule_sends_malformed_json_with_http_200(m: Mock) -> None:
    m.control.add_fault("onlinesim", "getRentState", body='{"response": 1, "list": [', times=1)
    answer = m.client.get("/api/rent/getRentState.php", query_string={"apikey": KEY})
    assert answer.status_code == 200 and answer.get_json(silent=True) is None
    assert answer.data == b'{"response": 1, "list": ['


def test_a_delay_rule_only_delays_the_normal_answer(m: Mock) -> None:
    rule = m.control.add_fault("onlinesim", "getBalance", delay_ms=20, times=1)
    assert m.osim("getBalance")["response"] == 1
    entry = m.control.journal(limit=1)[0]
    assert entry["fault"] == rule and entry["outcome"] == "ok" and entry["duration_ms"] >= 20


def test_a_delay_can_precede_an_error(m: Mock) -> None:
    m.control.add_fault("onlinesim", "getBalance", delay_ms=1, times=1)
    m.control.add_fault("onlinesim", "getBalance", error="TRY_AGAIN_LATER", delay_ms=1, times=1)
    assert m.osim("getBalance") == {"response": "TRY_AGAIN_LATER"}
    assert m.osim("getBalance")["response"] == 1


def test_drop_in_process_raises_a_connection_error_and_is_journaled(m: Mock) -> None:
    m.control.add_fault("smspva", "create", drop=True, times=1)
    with pytest.raises(ConnectionError):
        m.pva("create", country="RU", service="opt6", dtype="week", dcount=1)
    assert issubclass(DroppedConnection, ConnectionError)
    assert m.control.journal(limit=1)[0]["outcome"] == "dropped"
    assert m.create_pva()["id"] == 100000


def test_rules_are_listed_with_their_uses_left_and_can_be_deleted(m: Mock) -> None:
    first = m.control.add_fault("onlinesim", "getBalance", error="TRY_AGAIN_LATER", times=3)
    second = m.control.add_fault("smspva", "orders", http_status=500)
    m.osim("getBalance")
    listed = {r["id"]: r for r in m.control.faults()}
    assert listed[first]["times"] == 2 and listed[first]["hits"] == 1 and listed[first]["error"] == "TRY_AGAIN_LATER"
    assert listed[second]["times"] is None and listed[second]["http_status"] == 500
    assert m.control.delete_fault(first) == {"deleted": 1}
    with pytest.raises(ControlError) as missing:
        m.control.delete_fault(first)
    assert missing.value.status == 404
    assert m.control.clear_faults() == {"deleted": 1}
    assert m.control.faults() == [] and m.osim("getBalance")["response"] == 1


def test_reset_forgets_every_rule(m: Mock) -> None:
    m.control.add_fault("onlinesim", "*", error="TRY_AGAIN_LATER")
    m.control.reset()
    assert m.control.faults() == [] and m.osim("getBalance")["response"] == 1


@pytest.mark.parametrize(("spec", "field"), [
    ({"provider": "onlinesim", "method": "getBalance"}, None),                       # no action
    ({"provider": "onlinesim", "method": "getBalance", "error": "X", "drop": True}, None),
    ({"provider": "onlinesim", "method": "getBalance", "error": "X", "body": "x"}, None),
    ({"provider": "sms-activate", "method": "*", "error": "X"}, "provider"),
    ({"provider": "onlinesim", "method": "*", "error": "X", "times": 0}, "times"),
    ({"provider": "onlinesim", "method": "*", "error": "X", "probability": 2}, "probability"),
    ({"provider": "onlinesim", "method": "*", "http_status": 200}, "http_status"),
    ({"provider": "onlinesim", "method": "*", "drop": False}, "drop"),
    ({"provider": "onlinesim", "method": "*", "error": "X", "match": {"a": [1]}}, "match.a"),
    ({"method": "*", "error": "X"}, "provider"),
])
def test_a_bad_rule_is_refused_with_400(m: Mock, spec: dict[str, object], field: str | None) -> None:
    answer = m.client.post("/_mock/faults", json=spec)
    assert answer.status_code == 400
    assert answer.get_json()["field"] == field and answer.get_json()["error"]
    assert m.control.faults() == []


def test_two_apps_on_one_store_share_rules_settings_and_journal(tmp_path: Path) -> None:
    db = str(tmp_path / "shared.sqlite3")
    first, second = make_app(DB=db), make_app(DB=db)
    one, two = MockControl.in_process(first), MockControl.in_process(second)
    one.add_fault("onlinesim", "getBalance", error="TRY_AGAIN_LATER", times=1)
    balance = {"apikey": KEY}
    assert second.test_client().get("/api/getBalance.php", query_string=balance).get_json() == {
        "response": "TRY_AGAIN_LATER"}
    assert first.test_client().get("/api/getBalance.php", query_string=balance).get_json()["response"] == 1
    assert one.faults() == two.faults() == []
    one.patch_settings(strict_keys=True)
    assert second.test_client().get("/api/getBalance.php", query_string={"apikey": "new"}).get_json() == {
        "response": "ERROR_WRONG_KEY"}
    assert [e["fault"] is not None for e in two.journal()] == [False, False, True]
    for app in (first, second):
        app.extensions["rental_world"].store.close()



def test_a_call_reads_the_rule_and_setting_revisions_in_one_statement_whatever_was_written(tmp_path: Path) -> None:
    db = str(tmp_path / "shared.sqlite3")
    first, second = make_app(DB=db), make_app(DB=db)
    balance = {"apikey": KEY}
    assert second.test_client().get("/api/getBalance.php", query_string=balance).get_json()["response"] == 1
    for write in ({"apikey": KEY, "country": "7", "days": "1"}, None):  # another app's write, then none
        if write is not None:
            assert first.test_client().get("/api/rent/getRentNum.php", query_string=write).get_json()["response"] == 1
        seen: list[str] = []
        second.extensions["rental_world"].store.db.set_trace_callback(seen.append)
        assert second.test_client().get("/api/getBalance.php", query_string=balance).get_json()["response"] == 1
        second.extensions["rental_world"].store.db.set_trace_callback(None)
        assert len([s for s in seen if "faults_rev" in s]) == 1 and not [s for s in seen if "PRAGMA" in s]
    MockControl.in_process(first).add_fault("onlinesim", "getBalance", error="TRY_AGAIN_LATER", times=1)
    assert second.test_client().get("/api/getBalance.php", query_string=balance).get_json() == {
        "response": "TRY_AGAIN_LATER"}
    for app in (first, second):
        app.extensions["rental_world"].store.close()

def test_drop_under_the_development_server_is_a_connection_error(m: Mock) -> None:
    m.control.add_fault("onlinesim", "getBalance", drop=True, times=1)
    with serving(m.app) as url:
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{url}/api/getBalance.php", params={"apikey": KEY}, timeout=30)
        assert requests.get(f"{url}/api/getBalance.php", params={"apikey": KEY}, timeout=30).json()["response"] == 1
