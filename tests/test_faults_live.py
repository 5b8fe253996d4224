"""Fault rules and the control flags through a real HTTP client (requests) against ``serve`` (Granian)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sms_rent_mock.mock_server.control import ControlError, MockControl

from . import server

pytestmark = pytest.mark.server

KEY = "live-key"
RENT = {"apikey": KEY, "country": 7, "days": 1}


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("faults") / "mock.sqlite3"
    with server.serving("--db", str(db), "--clock", "frozen", "--auto-sms", "0") as base:
        yield base


@pytest.fixture
def mock(url: str) -> MockControl:
    control = MockControl(url)
    control.reset(apikey=KEY)
    return control


def rent(url: str) -> requests.Response:
    return requests.get(f"{url}/api/rent/getRentNum.php", params=RENT, timeout=30)


def test_an_error_n_times_then_normal_service(url: str, mock: MockControl) -> None:
    mock.add_fault("onlinesim", "getRentNum", error="TRY_AGAIN_LATER", times=2)
    answers = [rent(url).json()["response"] for _ in range(3)]
    assert answers == ["TRY_AGAIN_LATER", "TRY_AGAIN_LATER", 1]
    pva = requests.get(f"{url}/api/rent.php", params={"method": "orders", "apikey": KEY}, timeout=30)
    assert pva.json() == {"status": 1, "data": []}


def test_a_delay_holds_the_answer_back(url: str, mock: MockControl) -> None:
    mock.add_fault("onlinesim", "getBalance", delay_ms=300, times=1)
    answer = requests.get(f"{url}/api/getBalance.php", params={"apikey": KEY}, timeout=30)
    assert answer.json()["response"] == 1
    assert answer.elapsed.total_seconds() >= 0.3  # a sleep lasts at least its length
    assert mock.journal(limit=1)[0]["duration_ms"] >= 300


def test_a_5xx_status_then_normal_service(url: str, mock: MockControl) -> None:
    mock.add_fault("smspva", "create", http_status=503, times=1)
    params = {"method": "create", "apikey": KEY, "country": "RU", "service": "opt6", "dtype": "week", "dcount": 1}
    failed = requests.get(f"{url}/api/rent.php", params=params, timeout=30)
    assert failed.status_code == 503 and "503" in failed.text
    assert requests.get(f"{url}/api/rent.php", params=params, timeout=30).json()["status"] == 1
    assert [e["outcome"] for e in mock.journal(provider="smspva", method="create")] == ["ok", "HTTP 503"]


def test_a_malformed_body_cannot_be_parsed(url: str, mock: MockControl) -> None:
    mock.add_fault("onlinesim", "getRentNum", body='{"response": 1, "item": {', times=1)
    answer = rent(url)
    assert answer.status_code == 200
    with pytest.raises(requests.JSONDecodeError):
        answer.json()
    assert mock.journal(limit=1)[0]["outcome"] == "malformed"


def test_a_dropped_connection_is_a_connection_error_and_the_server_carries_on(url: str, mock: MockControl) -> None:
    mock.add_fault("onlinesim", "getRentNum", drop=True, times=1)
    with requests.Session() as session:
        with pytest.raises(requests.ConnectionError):
            session.get(f"{url}/api/rent/getRentNum.php", params=RENT, timeout=30)
        assert session.get(f"{url}/api/rent/getRentNum.php", params=RENT, timeout=30).json()["response"] == 1
    assert [e["outcome"] for e in mock.journal(method="getRentNum", limit=2)] == ["ok", "dropped"]
    assert mock.account(KEY)["open_rentals"] == 1  # the dropped call rented nothing


def test_a_drop_leaves_other_open_connections_alone(url: str, mock: MockControl) -> None:
    with requests.Session() as idle, requests.Session() as victim:
        assert idle.get(f"{url}/api/getBalance.php", params={"apikey": KEY}, timeout=30).json()["response"] == 1
        mock.add_fault("smspva", "orders", drop=True, times=1)
        with pytest.raises(requests.ConnectionError):
            victim.get(f"{url}/api/rent.php", params={"method": "orders", "apikey": KEY}, timeout=30)
        assert idle.get(f"{url}/api/getBalance.php", params={"apikey": KEY}, timeout=30).json()["response"] == 1


def test_drops_keep_working_call_after_call(url: str, mock: MockControl) -> None:
    mock.add_fault("smspva", "orders", drop=True, times=20)
    for _ in range(20):
        with requests.Session() as session, pytest.raises(requests.ConnectionError):
            session.get(f"{url}/api/rent.php", params={"method": "orders", "apikey": KEY}, timeout=30)
    assert requests.get(f"{url}/api/rent.php", params={"method": "orders", "apikey": KEY}, timeout=30).json() == {
        "status": 1, "data": []}
    assert {e["http_status"] for e in mock.journal(limit=21)[1:]} == {0}


def test_journal_is_newest_first_with_the_apikey_redacted(url: str, mock: MockControl) -> None:
    rent(url)
    requests.get(f"{url}/api/rent.php", params={"method": "orders", "apikey": KEY}, timeout=30)
    newest, older = mock.journal(limit=2)
    assert (newest["provider"], newest["method"], older["method"]) == ("smspva", "orders", "getRentNum")
    assert older["params"] == {"apikey": "***", "country": "7", "days": "1"}


def test_rules_and_journal_are_shared_by_every_worker(tmp_path: Path) -> None:
    with server.serving("--db", str(tmp_path / "mock.sqlite3"), "--workers", "2", "--clock", "frozen") as base:
        control = MockControl(base)
        control.reset(apikey=KEY)
        control.add_fault("onlinesim", "getBalance", error="TRY_AGAIN_LATER", times=4)
        answers = []
        for _ in range(10):  # a new connection each time, so both workers take some
            answers.append(requests.get(f"{base}/api/getBalance.php", params={"apikey": KEY}, timeout=30,
                                        headers={"Connection": "close"}).json()["response"])
        assert answers.count("TRY_AGAIN_LATER") == 4 and answers[4:] == [1] * 6
        assert len(control.journal(method="getBalance")) == 10


def test_no_control_removes_the_routes(tmp_path: Path) -> None:
    with server.serving("--db", str(tmp_path / "mock.sqlite3"), "--no-control") as base:
        assert requests.get(f"{base}/_mock/clock", timeout=30).status_code == 404
        assert requests.get(f"{base}/api/getBalance.php", params={"apikey": KEY}, timeout=30).json()["response"] == 1


def test_a_control_token_is_required_when_set(tmp_path: Path) -> None:
    with server.serving("--db", str(tmp_path / "mock.sqlite3"), "--control-token", "s3cret") as base:
        refused = requests.get(f"{base}/_mock/clock", timeout=30)
        assert refused.status_code == 401 and refused.json()["error"]
        with pytest.raises(ControlError) as wrong:
            MockControl(base, token="guess").clock()
        assert wrong.value.status == 401
        assert MockControl(base, token="s3cret").clock()["mode"] == "real"
        assert requests.get(f"{base}/api/getBalance.php", params={"apikey": KEY}, timeout=30).json()["response"] == 1


@pytest.mark.parametrize(("flag", "arrives"), [((), True), (("--auto-sms", "0"), False)])
def test_serve_scripts_a_code_sms_30_seconds_after_a_rental_can_receive(tmp_path: Path, flag: tuple[str, ...],
                                                                        arrives: bool) -> None:
    with server.serving("--db", str(tmp_path / "mock.sqlite3"), "--clock", "frozen", *flag) as base:
        control = MockControl(base)
        tzid = rent(base).json()["item"]["tzid"]
        state = f"{base}/api/rent/getRentState.php"
        control.advance(29)
        assert requests.get(state, params={"apikey": KEY, "tzid": tzid}, timeout=30).json()["list"][0]["status"] == 0
        control.advance(1)
        item = requests.get(state, params={"apikey": KEY, "tzid": tzid}, timeout=30).json()["list"][0]
        assert (item["status"] == 1) is arrives
        if arrives:
            assert item["messages"][0]["code"] and item["messages"][0]["code"] in item["messages"][0]["text"]
