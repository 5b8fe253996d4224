"""Every OnlineSim error code, each produced by the situation that causes it."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from sms_rent_mock.mock_server.domain import World

from .conftest import make_app
from .test_onlinesim import KEY, call, rent, sms


def test_missing_key(client: FlaskClient) -> None:
    assert call(client, "getRentState", apikey="") == {"response": "ERROR_NO_KEY"}
    assert client.get("/api/getBalance.php").json == {"response": "ERROR_NO_KEY"}


def test_unknown_key_with_strict_keys() -> None:
    c = make_app(STRICT_KEYS=True).test_client()
    assert call(c, "getBalance", apikey="nobody") == {"response": "ERROR_WRONG_KEY"}
    assert call(c, "getRentNum", apikey="nobody", country=7, days=1) == {"response": "ERROR_WRONG_KEY"}


def test_any_key_works_without_strict_keys(client: FlaskClient) -> None:
    assert call(client, "getBalance", apikey="brand-new")["balance"] == 1000


@pytest.mark.parametrize(("column", "value", "code"), [
    ("blocked", 1, "ACCOUNT_BLOCKED"),
    ("restriction", "api_disabled", "API_ACCESS_DISABLED"),
    ("restriction", "ip_denied", "API_ACCESS_IP"),
])
def test_account_restrictions_refuse_every_call(client: FlaskClient, world: World, column: str, value: object, code: str) -> None:
    item = rent(client)
    world.store.db.execute(f"UPDATE accounts SET {column} = ? WHERE apikey = ?", (value, KEY))
    for method in ("getBalance", "getRentState", "tariffsRent"):
        assert call(client, method) == {"response": code}
    assert call(client, "closeRentNum", tzid=item["tzid"]) == {"response": code}


def test_identification_is_required_only_to_order(client: FlaskClient, world: World) -> None:
    call(client, "getBalance")
    world.store.db.execute("UPDATE accounts SET restriction = 'identification_required' WHERE apikey = ?", (KEY,))
    assert call(client, "getRentNum", country=7, days=1) == {"response": "ACCOUNT_IDENTIFICATION_REQUIRED"}
    assert call(client, "getBalance")["response"] == 1


def test_concurrent_rental_limit() -> None:
    c = make_app(MAX_CONCURRENT=2).test_client()
    first = rent(c)
    rent(c)
    assert call(c, "getRentNum", country=7, days=1) == {"response": "EXCEEDED_CONCURRENT_OPERATIONS"}
    call(c, "closeRentNum", tzid=first["tzid"])
    assert rent(c, days=1)["rent"] == 1


def test_low_balance() -> None:
    c = make_app(START_BALANCE=100).test_client()
    assert call(c, "getRentNum", country=7, days=7) == {"response": "WARNING_LOW_BALANCE"}
    assert call(c, "getBalance")["balance"] == 100  # nothing was charged
    item = rent(c, days=1)
    assert call(c, "extendRentState", tzid=item["tzid"], days=7) == {"response": "WARNING_LOW_BALANCE"}


def test_no_number_when_the_stock_for_country_and_period_is_exhausted() -> None:
    c = make_app(START_BALANCE=100000, MAX_CONCURRENT=1000).test_client()
    stock = call(c, "tariffsRent", country=77)["count"]["1"]
    for _ in range(stock):
        rent(c, country=77, days=1)
    assert call(c, "getRentNum", country=77, days=1) == {"response": "NO_NUMBER"}
    assert rent(c, country=77, days=7)["rent"] == 7  # another period has its own stock


def test_rate_limit_per_key_per_second() -> None:
    c = make_app(RENT_RATE_LIMIT=1).test_client()
    rent(c, days=1)
    assert call(c, "getRentNum", country=7, days=1) == {"response": "INTERVAL_CONCURRENT_REQUESTS_ERROR"}
    assert call(c, "getRentNum", apikey="another-key", country=7, days=1)["response"] == 1


def test_duplicate_operation_within_the_window() -> None:
    c = make_app(DUPLICATE_WINDOW=60).test_client()
    rent(c, days=1)
    assert call(c, "getRentNum", country=7, days=1) == {"response": "DUPLICATE_OPERATION"}
    assert rent(c, days=7)["rent"] == 7


def test_try_again_later_from_the_failure_rate() -> None:
    c = make_app(FAILURE_RATE=1.0).test_client()
    assert call(c, "getRentNum", country=7, days=1) == {"response": "TRY_AGAIN_LATER"}


def test_undefined_country_and_days(client: FlaskClient) -> None:
    assert call(client, "getRentNum", country=999, days=1) == {"response": "UNDEFINED_COUNTRY"}
    assert call(client, "getRentNum", country="RU", days=1) == {"response": "UNDEFINED_COUNTRY"}
    assert call(client, "getRentNum", days=1) == {"response": "UNDEFINED_COUNTRY"}
    assert call(client, "getRentNum", country=7, days=2) == {"response": "UNDEFINED_DAYS"}
    assert call(client, "getRentNum", country=7, days=-1) == {"response": "UNDEFINED_DAYS"}
    assert call(client, "getRentNum", country=7) == {"response": "UNDEFINED_DAYS"}


@pytest.mark.parametrize("method", ["extendRentState", "portReload", "portUnFreeze", "closeRentNum"])
def test_tzid_missing_or_wrong(client: FlaskClient, method: str) -> None:
    assert call(client, method, days=1) == {"response": "ERROR_NO_TZID"}
    assert call(client, method, tzid="abc", days=1) == {"response": "ERROR_WRONG_TZID"}
    assert call(client, method, tzid=123, days=1) == {"response": "ERROR_WRONG_TZID"}


def test_expired_rental_cannot_be_extended_or_reloaded(client: FlaskClient, world: World, advance) -> None:
    item = rent(client, days=1, extension="false")
    sms(world, item)
    advance(86400)
    assert call(client, "extendRentState", tzid=item["tzid"], days=1) == {"response": "LIFICYCLE_NUM_EXPIRED"}
    assert call(client, "portReload", tzid=item["tzid"]) == {"response": "LIFICYCLE_NUM_EXPIRED"}
    assert call(client, "closeRentNum", tzid=item["tzid"]) == {"response": "NO_COMPLETE_TZID"}


def test_malformed_flags_are_error_params(client: FlaskClient) -> None:
    assert call(client, "getRentState", pagination="maybe") == {"response": "ERROR_PARAMS"}
    assert call(client, "getRentNum", country=7, days=1, extension="perhaps") == {"response": "ERROR_PARAMS"}


@pytest.mark.parametrize("value", ["9" * 5000, "٧", "7\x00", "🙂", "1e3", "0x7", " ", "[]"])
def test_hostile_values_get_an_error_envelope_and_change_nothing(client: FlaskClient, world: World, value: str) -> None:
    for params in ({"country": value, "days": 1}, {"country": 7, "days": value}):
        body = call(client, "getRentNum", **params)
        assert body["response"] in ("UNDEFINED_COUNTRY", "UNDEFINED_DAYS")
    assert call(client, "extendRentState", tzid=value, days=1)["response"] in ("ERROR_WRONG_TZID", "ERROR_NO_TZID")
    assert call(client, "getBalance")["balance"] == 1000
    assert world.audit() == []


def test_oversized_key_is_refused(client: FlaskClient) -> None:
    assert call(client, "getBalance", apikey="k" * 300) == {"response": "ERROR_WRONG_KEY"}


def test_non_object_json_body_is_ignored(client: FlaskClient) -> None:
    response = client.post("/api/rent/getRentState.php?apikey=k", data="[1, 2", content_type="application/json")
    assert response.status_code == 200 and response.json == {"response": 1, "list": []}
