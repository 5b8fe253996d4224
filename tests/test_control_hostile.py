"""Issue 9, control half: each hostile control call of the report is refused with the control error shape,
and the state export is the same before and after it; the mock keeps working afterwards."""

from __future__ import annotations

import copy
import io
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from sms_rent_mock import schemas
from sms_rent_mock.mock_server.domain import admin, clock

from .control_helpers import KEY, START, Mock, m

__all__ = ["m"]

HUGE = "99999999999999999999999"


def export(target: Mock) -> Any:
    answer = target.client.get("/_mock/state")
    assert answer.status_code == 200
    return answer.get_json()


def send(target: Mock, method: str, path: str, raw: str | bytes) -> Any:
    """A control call with a raw JSON text body (NaN and 1e300 are not what ``json=`` would write)."""
    return target.client.open(path, method=method, data=raw, content_type="application/json")


def assert_refused(answer: Any, status: int = 400, field: str | None = "") -> dict[str, Any]:
    assert answer.status_code == status, answer.get_data(as_text=True)
    body: dict[str, Any] = answer.get_json()
    assert set(body) == {"error", "field"} and body["error"]
    if field != "":
        assert body["field"] == field, body
    return body


def still_works(target: Mock) -> None:
    """The provider routes, the clock and a reset all answer normally."""
    assert target.rent_osim()["tzid"] >= 100_000
    assert target.client.get("/_mock/clock").status_code == 200
    assert target.control.reset(apikey=KEY)["account"]["balance"] == 1000


@pytest.fixture
def busy(m: Mock) -> Mock:
    m.control.reset(scenario="with_history", apikey=KEY)
    m.control.add_fault("onlinesim", "portReload", error="TRY_AGAIN_LATER", times=1)
    return m


# -- the clock ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "field"), [
    ('{"mode": "scaled", "scale": NaN}', None),
    ('{"scale": Infinity}', None),
    ('{"advance": 1e300}', "advance"),
    ('{"advance": 1e400}', None),
    ('{"set": 1e300}', "set"),
    ('{"set": -Infinity}', None),
    ('{"advance": 3155760001}', "advance"),
    ('{"set": 7258118401}', "set"),
    ('{"scale": 1000001}', "scale"),
    ('{"mode": "scaled", "scale": 1e-400}', "scale"),
])
def test_a_clock_value_out_of_range_is_refused_and_nothing_stored(busy: Mock, raw: str, field: str | None) -> None:
    before = export(busy)
    assert_refused(send(busy, "POST", "/_mock/clock", raw), field=field)
    assert export(busy) == before
    still_works(busy)


def test_a_clock_set_more_than_a_century_ahead_is_refused(busy: Mock) -> None:
    before = export(busy)
    assert_refused(busy.client.post("/_mock/clock", json={"set": START + clock.MAX_JUMP + 1}), field="set")
    assert export(busy) == before
    assert busy.control.set_time(START + clock.MAX_JUMP)["now"] == START + clock.MAX_JUMP


def test_a_century_of_advances_stops_at_the_latest_time(m: Mock) -> None:
    m.control.advance(clock.MAX_JUMP)
    m.control.advance(clock.LATEST - m.control.clock()["now"])
    assert m.control.clock()["now"] == clock.LATEST
    assert_refused(m.client.post("/_mock/clock", json={"advance": 1}), field="advance")


# -- settings -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    '{"guard_seconds": 1e23}', '{"guard_seconds": 99999999999999999999999}', '{"start_balance": 1e300}',
    '{"start_balance": "1e300"}', '{"start_balance": "NaN"}', '{"start_balance": "-1"}', '{"failure_rate": 2}',
    '{"max_concurrent": 10001}', '{"renew_days": 1e9}', '{"duplicate_window": 1e300}', '{"nope": 1}',
    '{"guard_seconds": "60"}', '{"strict_keys": "yes"}',
])
def test_a_setting_out_of_bounds_is_refused(busy: Mock, raw: str) -> None:
    before = export(busy)
    assert_refused(send(busy, "PATCH", "/_mock/settings", raw))
    assert export(busy) == before and busy.control.settings()["overrides"] == {}
    still_works(busy)


def test_the_largest_settings_still_leave_the_providers_working(m: Mock) -> None:
    from sms_rent_mock.mock_server.domain.settings import LIMITS

    highest = {name: (str(high) if name == "start_balance" else high) for name, (_, high) in LIMITS.items()
               if name not in ("failure_rate", "rent_rate_limit", "duplicate_window")}
    m.control.patch_settings(**highest)
    m.control.put_account("fresh-key")
    assert m.rent_osim(apikey="fresh-key")["tzid"] >= 100_000
    m.control.advance(clock.MAX_JUMP)
    assert m.client.get("/_mock/state").status_code == 200


# -- accounts, faults, stock, rentals --------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "raw", "status"), [
    ("PUT", f"/_mock/accounts/{KEY}", f'{{"max_concurrent": {HUGE}}}', 400),
    ("PUT", f"/_mock/accounts/{KEY}", '{"balance": 1e300}', 400),
    ("PUT", f"/_mock/accounts/{KEY}", '{"balance": NaN}', 400),
    ("PUT", "/_mock/accounts/" + "k" * 257, "{}", 400),
    ("PUT", "/_mock/accounts/%20%20", "{}", 400),
    ("PUT", "/_mock/accounts/a%00b", "{}", 400),
    ("POST", "/_mock/faults", '{"provider": "onlinesim", "method": "*", "error": "E", "times": 1e23}', 400),
    ("POST", "/_mock/faults", f'{{"provider": "onlinesim", "method": "*", "error": "E", "times": {HUGE}}}', 400),
    ("POST", "/_mock/faults", '{"provider": "onlinesim", "method": "*", "error": "E", "probability": NaN}', 400),
    ("POST", "/_mock/faults", '{"provider": "onlinesim", "method": "*", "error": "E", "match": {"a": 1e400}}', 400),
    ("PUT", "/_mock/stock", '{"provider": "onlinesim", "country": "RU", "count": 1, "period": 1e23}', 400),
    ("PUT", "/_mock/stock", f'{{"provider": "onlinesim", "country": "RU", "count": 1, "period": {HUGE}}}', 400),
    ("PUT", "/_mock/stock", f'{{"provider": "onlinesim", "country": "RU", "count": {HUGE}}}', 400),
    ("PATCH", f"/_mock/rentals/{HUGE}", '{"frozen": true}', 404),
    ("DELETE", f"/_mock/faults/{HUGE}", "", 404),
    ("POST", "/_mock/reset", '{"seed": 1e30}', 400),
    ("POST", "/_mock/reset", f'{{"seed": {HUGE}}}', 400),
    ("POST", "/_mock/reset", '{"apikey": "   "}', 400),
    ("PATCH", "/_mock/catalog", '{"provider": "onlinesim", "add": {"country": "7", "entry": {"iso": "RU", '
                                '"periods": {"1": 1e300}, "extend_day": 1}}}', 400),
    ("PATCH", "/_mock/catalog", '{"provider": "smspva", "add": {"country": "RU", "service": "opt6", '
                                '"entry": {"price_day": "x"}}}', 400),
    ("PATCH", "/_mock/catalog", '{"provider": "smspva", "add": {"country": "RU", "service": "opt6", '
                                f'"entry": {{"price_day": 1, "stock": {{"MTS": {HUGE}}}}}}}}}', 400),
    ("PATCH", "/_mock/catalog", '{"provider": "onlinesim", "add": {"country": "7", "entry": {"iso": "RU", '
                                '"periods": {"1": -5}, "extend_day": 1, "stock": {"1": "x"}}}}', 400),
])
def test_huge_or_broken_values_are_refused(busy: Mock, method: str, path: str, raw: str, status: int) -> None:
    before = export(busy)
    assert_refused(send(busy, method, path, raw), status)
    assert export(busy) == before
    still_works(busy)


@pytest.mark.parametrize("path", [f"/_mock/rentals/{HUGE}", "/_mock/accounts/" + "k" * 257,
                                  "/_mock/requests?limit=" + HUGE, "/_mock/requests?limit=%C2%B2"])
def test_huge_ids_and_keys_in_reads_are_4xx(m: Mock, path: str) -> None:
    answer = m.client.get(path)
    assert 400 <= answer.status_code < 500 and set(answer.get_json()) == {"error", "field"}


def test_a_nan_probability_is_never_stored_as_null(m: Mock) -> None:
    raw = '{"provider": "onlinesim", "method": "*", "error": "E", "probability": NaN}'
    assert_refused(send(m, "POST", "/_mock/faults", raw))
    assert m.control.faults() == [] and m.osim("getBalance")["response"] == 1


# -- bodies -----------------------------------------------------------------------------------------------

def test_a_deeply_nested_body_is_a_400(busy: Mock) -> None:
    before = export(busy)
    assert_refused(send(busy, "PUT", "/_mock/state", "[" * 10_000 + "]" * 10_000), 400, None)
    assert_refused(send(busy, "POST", "/_mock/faults", '{"match": ' * 5000 + "1" + "}" * 5000), 400, None)
    assert export(busy) == before


def test_a_body_over_the_size_limit_is_a_413(busy: Mock) -> None:
    from sms_rent_mock.mock_server import json_body

    before = export(busy)
    raw = b'{"text": "' + b"x" * json_body.MAX_BYTES + b'"}'
    assert_refused(send(busy, "PUT", "/_mock/state", raw), 413, None)
    assert export(busy) == before


def test_a_chunked_body_over_the_size_limit_is_a_413(busy: Mock) -> None:
    """No Content-Length to check first: the body is read no further than one byte past the limit."""
    from sms_rent_mock.mock_server import json_body

    before = export(busy)
    raw = b'{"text": "' + b"x" * json_body.MAX_BYTES + b'"}'
    answer = busy.client.put("/_mock/state", input_stream=io.BytesIO(raw), environ_overrides={
        "wsgi.input_terminated": True}, headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    assert_refused(answer, 413, None)
    assert export(busy) == before


# -- state import -------------------------------------------------------------------------------------------

def _rental(s: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = s["tables"]["rentals"][0]
    return row


def _pva_offer(s: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = s["catalog"]["smspva"]["countries"]["RU"]["services"]["opt6"]
    return entry


def _osim_prices(s: dict[str, Any]) -> dict[str, Any]:
    prices: dict[str, Any] = s["catalog"]["onlinesim"]["countries"]["7"]["periods"]
    return prices


def _add_fault_row(s: dict[str, Any], **row: Any) -> None:
    s["tables"]["fault_rules"].append({"id": 99, "provider": "onlinesim", "method": "*", "match": "{}",
                                       "remaining": None, "probability": None, "hits": 0, "created_at": START,
                                       **row})


BAD_IMPORTS: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("expires_at soon", lambda s: _rental(s).update(expires_at="soon")),
    ("price_day x", lambda s: _pva_offer(s).update(price_day="x")),
    ("price_day NaN text", lambda s: _pva_offer(s).update(price_day="NaN")),
    ("price_day huge text", lambda s: _pva_offer(s).update(price_day="1e300")),
    ("negative OnlineSim price", lambda s: _osim_prices(s).update({"7": -150})),
    ("stock count text", lambda s: s["catalog"]["onlinesim"]["countries"]["7"]["stock"].update({"7": "many"})),
    ("clock.now 2^62", lambda s: s["clock"].update(now=2**62)),
    ("clock.now 10^20", lambda s: s["clock"].update(now=10**20)),
    ("clock.now before 2000", lambda s: s["clock"].update(now=5)),
    ("clock scale huge", lambda s: s["clock"].update(mode="scaled", scale=1e300)),
    ("clock scaled by 0", lambda s: s["clock"].update(mode="scaled", scale=0)),
    ("unknown setting", lambda s: s["settings"].update(nope=1)),
    ("setting out of range", lambda s: s["settings"].update(guard_seconds=10**23)),
    ("setting of the wrong type", lambda s: s["settings"].update(start_balance=[1])),
    ("ledger row for an unknown account", lambda s: s["tables"]["ledger"].append(
        {"id": 999, "apikey": "ghost", "amount": 0, "kind": "adjust", "rental_id": None, "memo": "", "at": START})),
    ("rental row for an unknown account", lambda s: _rental(s).update(apikey="ghost")),
    ("sms for an unknown rental", lambda s: s["tables"]["sms"][0].update(rental_id=1)),
    ("charge for another account's rental", lambda s: s["tables"]["ledger"].append(
        {"id": 999, "apikey": KEY, "amount": 0, "kind": "charge", "rental_id": 123, "memo": "", "at": START})),
    ("fault action nope", lambda s: _add_fault_row(s, action='{"nope": 1}')),
    ("fault action not JSON", lambda s: _add_fault_row(s, action="{")),
    ("fault action two terminals", lambda s: _add_fault_row(s, action='{"error": "E", "drop": true}')),
    ("fault status out of range", lambda s: _add_fault_row(s, action='{"http_status": 200}')),
    ("fault probability out of range", lambda s: _add_fault_row(s, action='{"error": "E"}', probability=5)),
    ("fault match not texts", lambda s: _add_fault_row(s, action='{"error": "E"}', match='{"a": [1]}')),
    ("sms text not text", lambda s: s["tables"]["sms"][0].update(text=5)),
    ("balance huge", lambda s: s["tables"]["accounts"][0].update(balance=2**70)),
    ("ledger amount huge", lambda s: s["tables"]["ledger"][0].update(amount=2**63)),
    ("rental days huge", lambda s: _rental(s).update(days=10**30)),
    ("restriction unknown", lambda s: s["tables"]["accounts"][0].update(restriction="banned")),
    ("rental in an unknown country", lambda s: _rental(s).update(country="ZZ")),
    ("stock in an unknown country", lambda s: s["tables"]["stock"][0].update(country="ZZ")),
    ("too many rows", lambda s: s["tables"].update(retired_numbers=[{"dial": "7", "phone": "1"}] * 200_001)),
    ("catalog not an object", lambda s: s.update(catalog=[])),
    ("catalog text too long", lambda s: s["catalog"]["countries"]["RU"].update(name="x" * 5000)),
]


@pytest.mark.parametrize("change", [c for _, c in BAD_IMPORTS], ids=[n for n, _ in BAD_IMPORTS])
def test_a_bad_import_is_refused_whole_and_the_export_is_unchanged(busy: Mock, change: Any) -> None:
    before = export(busy)
    document = copy.deepcopy(before)
    change(document)
    assert_refused(busy.client.put("/_mock/state", json=document))
    assert export(busy) == before
    still_works(busy)
    assert busy.client.delete("/_mock/faults", content_type="application/json").status_code == 200
    busy.control.import_state(before)
    assert export(busy)["tables"] == before["tables"]


def test_a_good_import_still_round_trips(busy: Mock) -> None:
    before = export(busy)
    assert busy.control.import_state(before) == before == export(busy)


# -- the log ----------------------------------------------------------------------------------------------

def test_a_crash_on_an_account_route_is_a_json_500_that_never_logs_the_key(
        m: Mock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    secret = "sk-live-do-not-log"

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"store trouble with {secret}")

    monkeypatch.setattr(admin, "put_account", broken)
    m.app.testing = False  # let the error handler run as in production
    with caplog.at_level(logging.DEBUG):
        answer = m.client.put(f"/_mock/accounts/{secret}", json={})
    assert_refused(answer, 500)
    assert "RuntimeError" in caplog.text and "/_mock/accounts/***" in caplog.text
    assert secret not in caplog.text and secret not in json.dumps(answer.get_json())


def test_the_settings_schema_states_the_bounds_the_settings_keep() -> None:
    from sms_rent_mock.mock_server.domain.settings import LIMITS

    props = schemas.load("control", "settings.request")["properties"]
    assert {name: (props[name]["minimum"], props[name]["maximum"]) for name in LIMITS} == {
        name: (low, high) for name, (low, high) in LIMITS.items()}
