"""The cross-site rules of the control API (``sms_rent_mock.mock_server.control_guard``), unit by unit and on the wire."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import requests

from sms_rent_mock.mock_server import control_guard as guard
from sms_rent_mock.mock_server.client import MockControl

from .control_helpers import Mock, m, mock
from .server import kill, start

__all__ = ["m"]


@pytest.mark.parametrize(("header", "name"), [
    ("localhost:8080", "localhost"), ("LOCALHOST", "localhost"), ("127.0.0.1:80", "127.0.0.1"),
    ("[::1]:8080", "::1"), ("[::1]", "::1"), ("example.com.", "example.com"), ("::1", "::1"),
])
def test_hostname_drops_the_port_and_brackets(header: str, name: str) -> None:
    assert guard.hostname(header) == name


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8080", "127.9.9.9", "[::1]:1"])
def test_loopback_hosts_pass(host: str) -> None:
    guard.check_host(host, ())


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "192.168.1.5", "localhost.evil.example",
                                  "[::2]", "128.0.0.1"])
def test_other_hosts_are_refused_unless_allowed(host: str) -> None:
    with pytest.raises(guard.Refusal) as refused:
        guard.check_host(host, ())
    assert refused.value.status == 403 and refused.value.field == "Host"
    guard.check_host(host, (guard.hostname(host),))
    guard.check_host(host, ("*",))


def test_allowed_hosts_come_as_a_list_or_a_comma_separated_string() -> None:
    assert guard.allowed_hosts("a.example, B.example:9") == ("a.example", "b.example")
    assert guard.allowed_hosts(["c.example"]) == ("c.example",)
    assert guard.allowed_hosts(None) == guard.allowed_hosts("") == ()


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://localhost:9999", "file://", "localhost:8080"])
def test_a_foreign_origin_is_refused(origin: str) -> None:
    with pytest.raises(guard.Refusal) as refused:
        guard.check_origin(origin, "localhost:8080")
    assert refused.value.status == 403


def test_the_mocks_own_origin_and_no_origin_pass() -> None:
    guard.check_origin("http://localhost:8080", "localhost:8080")
    guard.check_origin("http://LOCALHOST:8080", "localhost:8080")
    guard.check_origin(None, "localhost:8080")


@pytest.mark.parametrize("mimetype", ["", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_state_change_needs_the_json_content_type(mimetype: str) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        with pytest.raises(guard.Refusal) as refused:
            guard.check_content_type(method, mimetype)
        assert refused.value.status == 415
    guard.check_content_type("GET", mimetype)
    guard.check_content_type("POST", "application/json")


def test_redacted_hides_account_keys_in_paths_and_named_secrets() -> None:
    text = "Exception on /_mock/accounts/sk-live-123 [PUT]: key sk-live-123 broke"
    assert "sk-live-123" not in guard.redacted(text, "sk-live-123")
    assert guard.redacted("/_mock/accounts/abc?x=1") == "/_mock/accounts/***?x=1"


# -- on the wire ----------------------------------------------------------------------------------------

def export(target: Mock) -> object:
    return target.client.get("/_mock/state").get_json()


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_an_empty_reset_without_json_type_changes_nothing(m: Mock, content_type: str | None) -> None:
    m.rent_osim()
    before = export(m)
    answer = m.client.post("/_mock/reset", data=b"", content_type=content_type)
    assert answer.status_code == 415 and answer.get_json()["field"] == "Content-Type"
    assert export(m) == before


def test_an_empty_delete_with_the_json_type_is_accepted(m: Mock) -> None:
    m.control.add_fault("smspva", "*", error="x")
    assert m.client.delete("/_mock/faults", content_type="application/json").get_json() == {"deleted": 1}
    assert m.client.delete("/_mock/requests").status_code == 415


def test_a_request_from_another_site_is_refused(m: Mock) -> None:
    m.rent_osim()
    before = export(m)
    answer = m.client.post("/_mock/reset", json={}, headers={"Origin": "http://evil.example"})
    assert answer.status_code == 403 and answer.get_json()["field"] == "Origin"
    assert m.client.get("/_mock/state", headers={"Origin": "http://evil.example"}).status_code == 403
    assert export(m) == before
    assert m.client.post("/_mock/reset", json={}, headers={"Origin": "http://localhost"}).status_code == 200


def test_a_cross_site_preflight_is_refused(m: Mock) -> None:
    answer = m.client.options("/_mock/reset", headers={"Origin": "http://evil.example",
                                                       "Access-Control-Request-Method": "POST"})
    assert answer.status_code == 403 and "Access-Control-Allow-Origin" not in answer.headers


def test_a_rebound_host_name_cannot_read_the_keys(m: Mock) -> None:
    answer = m.client.get("/_mock/state", headers={"Host": "evil.example"})
    assert answer.status_code == 403 and "test-key" not in answer.get_data(as_text=True)
    assert m.client.get("/_mock/state", headers={"Host": "127.0.0.1:8080"}).status_code == 200


def test_allowed_hosts_open_the_control_api_to_that_name() -> None:
    target = mock(ALLOWED_HOSTS="mock.lan")
    try:
        assert target.client.get("/_mock/clock", headers={"Host": "mock.lan:8080"}).status_code == 200
        assert target.client.get("/_mock/clock", headers={"Host": "other.lan"}).status_code == 403
    finally:
        target.world.store.close()


def test_the_provider_routes_are_not_guarded(m: Mock) -> None:
    answer = m.client.get("/api/getBalance.php", query_string={"apikey": "k"},
                          headers={"Host": "evil.example", "Origin": "http://evil.example"})
    assert answer.status_code == 200 and answer.get_json()["response"] == 1


def test_the_python_client_sends_json_on_every_state_change(m: Mock) -> None:
    m.control.add_fault("smspva", "*", error="x")
    assert m.control.clear_faults() == {"deleted": 1}
    m.control.clear_journal()
    m.control.reset()


def test_serve_passes_allow_host_and_its_own_address_to_the_app(tmp_path: Path) -> None:
    """A real ``serve``: loopback and each --allow-host name are answered, any other Host is refused."""
    proc, url = start("--db", str(tmp_path / "mock.sqlite3"), "--allow-host", "mock.lan", "--allow-host", "b.lan")
    try:
        def status(host: str, **headers: str) -> int:
            return requests.get(f"{url}/_mock/clock", headers={"Host": host, **headers}, timeout=30).status_code

        assert status("mock.lan:8080") == status("B.LAN") == status("localhost") == 200
        assert status("evil.example") == 403
        assert status("mock.lan", Origin="http://evil.example") == 403
        control = MockControl(url)
        control.add_fault("onlinesim", "*", error="x")
        assert control.clear_faults() == {"deleted": 1}
        refused = requests.post(f"{url}/_mock/reset", data="", headers={"Content-Type": "text/plain"}, timeout=30)
        assert refused.status_code == 415
    finally:
        kill(proc, signal.SIGTERM)
