"""``contract_tests.wsgi_transport``: a session with the transport mounted gets from the in-process mock
what it gets over HTTP (status, content type, body; a JSON body posted), a dropped connection still
raises, and the kit's own runs against ``--target mock`` go through it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sms_rent_mock.contract_tests import wsgi_transport
from sms_rent_mock.contract_tests.runner import run_check
from sms_rent_mock.contract_tests.target import in_process_mock, in_process_transport
from sms_rent_mock.mock_server.client import MockControl


@pytest.fixture
def mock() -> Iterator[tuple[str, requests.Session, requests.Session]]:
    """The in-process mock's URL, a session over HTTP and one through the transport."""
    with in_process_mock() as url:
        direct = requests.Session()
        transport = in_process_transport(url)
        assert transport is not None
        direct.mount(url + "/", transport)
        yield url, requests.Session(), direct


def answer(response: requests.Response) -> tuple[int, str, Any]:
    return response.status_code, response.headers["Content-Type"], response.json()


@pytest.mark.parametrize("path", ["/api/getBalance.php?apikey=k",
                                  "/api/rent/getRentNum.php?apikey=k&country=7&days=1",
                                  "/api/rent/getRentState.php?apikey=k&pagination=false",
                                  "/api/rent/closeRentNum.php?apikey=k&tzid=nope",
                                  "/api/rent.php?method=orders&apikey=k",
                                  "/_mock/clock", "/_mock/no-such-thing"])
def test_a_call_through_the_transport_answers_as_over_http(
        mock: tuple[str, requests.Session, requests.Session], path: str) -> None:
    url, http, direct = mock
    over_http = answer(http.get(url + path, timeout=10))
    through = answer(direct.get(url + path, timeout=10))
    if "getRentNum" in path:  # each rents its own number: the same answer but for the number and tzid
        assert over_http[:2] == through[:2] and over_http[2]["response"] == through[2]["response"] == 1
        assert through[2]["item"]["tzid"] == over_http[2]["item"]["tzid"] + 1
    else:
        assert through == over_http


def test_a_posted_json_body_reaches_the_app(mock: tuple[str, requests.Session, requests.Session]) -> None:
    url, http, direct = mock
    control = MockControl(url, session=direct)
    control.put_account("posted", balance=123)
    assert MockControl(url, session=http).account("posted")["balance"] == 123


def test_a_dropped_connection_raises_as_over_http(mock: tuple[str, requests.Session, requests.Session]) -> None:
    url, http, direct = mock
    MockControl(url, session=http).add_fault("onlinesim", "getBalance", drop=True)
    for session in (http, direct):
        with pytest.raises(requests.ConnectionError):
            session.get(url + "/api/getBalance.php?apikey=k", timeout=10)


def test_the_transport_is_there_only_while_its_mock_runs() -> None:
    with in_process_mock() as url:
        assert in_process_transport(url) is not None
        assert in_process_transport(url + "/") is not None
    assert in_process_transport(url) is None
    assert in_process_transport("http://127.0.0.1:1") is None


def test_a_kit_run_against_the_mock_goes_through_the_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []
    original = wsgi_transport.WSGITransport.send

    def counting(self: Any, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        sent.append(request.url or "")
        return original(self, request, **kwargs)
    monkeypatch.setattr(wsgi_transport.WSGITransport, "send", counting)
    assert run_check(target="mock", provider="onlinesim", examples=2, steps=5, max_seconds=600) == 0
    assert any("/api/rent/" in url for url in sent) and any("/_mock/" in url for url in sent)
