"""OnlineSim endpoints through the Flask test client; every response is schema-checked by the app."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient

from sms_rent_mock.mock_server.domain import World, clock

from .conftest import START, make_app

pytestmark = pytest.mark.usefixtures("backend")  # every test on SQLite and PostgreSQL

KEY = "key-a"


def call(client: FlaskClient, method: str, **params: Any) -> Any:
    params.setdefault("apikey", KEY)
    path = "/api/getBalance.php" if method == "getBalance" else f"/api/rent/{method}.php"
    response = client.get(path, query_string=params)
    assert response.status_code == 200
    return response.get_json()


def rent(client: FlaskClient, country: int = 7, days: int = 7, **params: Any) -> dict[str, Any]:
    body = call(client, "getRentNum", country=country, days=days, **params)
    assert body["response"] == 1, body
    item: dict[str, Any] = body["item"]
    return item


def sms(world: World, item: dict[str, Any], text: str = "Your code is 48213") -> None:
    delivery = world.deliver_sms(f"{item['country']}{item['number']}", text, sender="Telegram", service="Telegram")
    assert delivery.delivered, delivery.reason


def balance(client: FlaskClient, key: str = KEY) -> Decimal:
    return Decimal(str(call(client, "getBalance", apikey=key)["balance"]))


def test_rent_charges_the_tariff_price_and_starts_unconfirmed(client: FlaskClient) -> None:
    tariff = call(client, "tariffsRent", country=7)
    item = rent(client, days=7)
    assert (item["status"], item["checked"], item["rent"], item["sum"]) == (0, False, 7, "150.00")
    assert item["time"] == 20 and item["days"] == 0 and item["hours"] == 0  # the guard window counts down
    assert balance(client) == 1000 - tariff["days"]["7"]
    assert item["extend"] == {"1": 25, "7": 175, "15": 375, "30": 750}
    assert item["messages"]["total"] == 0  # getRentNum paginates by default


def test_sms_are_looked_up_only_for_rentals_that_have_some(client: FlaskClient,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from sms_rent_mock.mock_server.storage.inbox import Inbox

    asked: list[list[int]] = []
    lookup = Inbox.messages_of
    monkeypatch.setattr(Inbox, "messages_of",  # an empty list asks the database nothing
                        lambda self, ids, now: (ids and asked.append(ids)) or lookup(self, ids, now))
    item = rent(client)
    [listed] = call(client, "getRentState", tzid=item["tzid"])["list"]
    assert (item["status"], listed["status"], listed["messages"]) == (0, 0, []) and asked == []
    sms(client.application.extensions["rental_world"], item)
    [listed] = call(client, "getRentState", tzid=item["tzid"])["list"]
    assert listed["status"] == 1 and [m["code"] for m in listed["messages"]] == ["48213"]
    assert asked == [[item["tzid"]]]


class SteppingTime:
    """A real clock whose every reading is ``step`` seconds after the last: time passes inside a request."""

    def __init__(self, step: float) -> None:
        self.at, self.step = float(START), step

    def time(self) -> float:
        self.at += self.step
        return self.at


def test_the_rent_answer_is_read_at_the_rent_s_own_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # the scripted SMS lands a second after the rent; a read taken after the rent (the clock read again)
    # would list it beside a rental that, as rented, had none: a status 0 with a code in its messages
    monkeypatch.setattr(clock, "time", SteppingTime(2.0))
    app = make_app(CLOCK="real", AUTO_SMS=1)
    try:
        item = rent(app.test_client(), days=7)
        assert item["status"] == 0 and item["messages"]["total"] == 0, item
    finally:
        app.extensions["rental_world"].store.close()


def test_first_sms_confirms_and_switches_the_countdown_to_expiry(client: FlaskClient, world: World, advance) -> None:
    item = rent(client, days=7)
    advance(300)
    sms(world, item)
    got = call(client, "getRentState", tzid=item["tzid"], pagination="false")["list"][0]
    assert got["status"] == 1 and got["checked"] is True
    assert got["checked_time"] == "2023-11-15 01:18:20"  # START + 300 s, Moscow time (UTC+3, no offset)
    left = 7 * 86400 - 300
    assert (got["days"], got["hours"], got["time"]) == (left // 86400, left // 3600, left // 60)
    assert got["messages"][0]["code"] == "48213"


def test_no_sms_within_the_guard_window_closes_and_refunds(client: FlaskClient, advance) -> None:
    item = rent(client, days=7)
    assert call(client, "getBalance")["zbalance"] == 150
    advance(20 * 60 - 1)
    assert call(client, "getRentState")["list"][0]["time"] == 0
    advance(1)
    assert call(client, "getRentState")["list"] == []
    assert balance(client) == 1000
    assert call(client, "closeRentNum", tzid=item["tzid"]) == {"response": "NO_COMPLETE_TZID"}


def test_sms_inside_the_guard_window_keeps_the_rental(client: FlaskClient, world: World, advance) -> None:
    item = rent(client, days=1)
    advance(19 * 60)
    sms(world, item)
    advance(10 * 60)
    assert [r["tzid"] for r in call(client, "getRentState")["list"]] == [item["tzid"]]
    assert balance(client) == 970


def test_auto_renewal_charges_thirty_days_at_expiry(client: FlaskClient, world: World, advance) -> None:
    item = rent(client, days=1, extension="true")
    sms(world, item)
    advance(86400)
    got = call(client, "getRentState")["list"][0]
    assert got["rent"] == 31 and got["days"] == 30
    assert balance(client) == 1000 - 30 - 750
    ledger = [(e.kind, e.amount, e.at) for e in world.ledger(KEY)]
    assert ledger == [("charge", -750, START + 86400), ("charge", -30, START), ("deposit", 1000, START)]


def test_auto_renewal_ends_the_rental_when_the_balance_is_short(client: FlaskClient, world: World, advance) -> None:
    item = rent(client, days=30, extension="1")  # 480, leaves 520: less than the 750 renewal
    sms(world, item)
    advance(30 * 86400)
    assert call(client, "getRentState")["list"] == []
    assert balance(client) == 520


def test_without_extension_the_rental_simply_expires(client: FlaskClient, world: World, advance) -> None:
    item = rent(client, days=1, extension="false")
    sms(world, item)
    advance(86400 - 60)
    assert call(client, "getRentState")["list"][0]["time"] == 1
    advance(60)
    assert call(client, "getRentState")["list"] == []
    assert call(client, "extendRentState", tzid=item["tzid"], days=1) == {"response": "LIFICYCLE_NUM_EXPIRED"}


def test_extend_charges_the_extend_price_and_moves_the_expiry(client: FlaskClient, world: World) -> None:
    item = rent(client, days=1)
    sms(world, item)
    body = call(client, "extendRentState", tzid=item["tzid"], days=7)
    assert body["response"] == 1 and body["list"] == [body["item"]]
    assert body["item"]["rent"] == 8 and body["item"]["sum"] == "205.00"
    assert body["item"]["days"] == 8 and isinstance(body["item"]["messages"], list)
    assert balance(client) == 1000 - 30 - 175


def test_extend_days_must_be_an_extend_key(client: FlaskClient) -> None:
    item = rent(client)
    assert call(client, "extendRentState", tzid=item["tzid"], days=3) == {"response": "UNDEFINED_DAYS"}
    assert call(client, "extendRentState", tzid=item["tzid"], days="x") == {"response": "UNDEFINED_DAYS"}


def test_extend_without_days_is_refused_and_charges_nothing(client: FlaskClient) -> None:
    """The docs mark `days` required (issue 11 point 4): no silent default to the shortest period."""
    item = rent(client)
    before = balance(client)
    assert call(client, "extendRentState", tzid=item["tzid"]) == {"response": "UNDEFINED_DAYS"}
    assert call(client, "extendRentState", tzid=item["tzid"], days="") == {"response": "UNDEFINED_DAYS"}
    assert balance(client) == before
    assert call(client, "getRentState", tzid=item["tzid"])["list"][0]["rent"] == item["rent"]


def test_port_reload_is_available_again_after_the_cooldown(client: FlaskClient, advance) -> None:
    item = rent(client)
    assert call(client, "portReload", tzid=item["tzid"]) == {"response": 1}
    assert call(client, "getRentState")["list"][0]["reload"] == 10
    assert call(client, "portReload", tzid=item["tzid"]) == {"response": "TRY_AGAIN_LATER"}
    advance(600)
    assert call(client, "getRentState", pagination=0)["list"][0]["reload"] == 0
    assert call(client, "portReload", tzid=item["tzid"]) == {"response": 1}


def test_port_reload_in_the_last_hour_needs_an_extension_first(client: FlaskClient, world: World, advance) -> None:
    item = rent(client, days=1, extension="false")
    sms(world, item)
    advance(86400 - 1800)
    assert call(client, "portReload", tzid=item["tzid"]) == {"response": "NEED_EXTENSION_NUMBER"}


def test_port_unfreeze_answers_one(client: FlaskClient) -> None:
    item = rent(client)
    assert call(client, "portUnFreeze", tzid=item["tzid"]) == {"response": 1}


def test_close_after_an_sms_keeps_the_money_and_is_final(client: FlaskClient, world: World) -> None:
    item = rent(client)
    sms(world, item)
    assert call(client, "closeRentNum", tzid=item["tzid"]) == {"response": 1, "tzid": item["tzid"]}
    assert balance(client) == 850
    assert call(client, "getRentState", tzid=item["tzid"])["list"] == []
    assert call(client, "closeRentNum", tzid=item["tzid"]) == {"response": "NO_COMPLETE_TZID"}


def test_close_before_any_sms_refunds(client: FlaskClient) -> None:
    item = rent(client)
    call(client, "closeRentNum", tzid=item["tzid"])
    assert balance(client) == 1000


def test_tariffs_without_country_are_a_map_by_code_without_response_key(client: FlaskClient) -> None:
    body = call(client, "tariffsRent")
    assert "response" not in body and {"7", "77", "380"} <= body.keys()
    assert body["380"]["code"] == 380 and body["380"]["name"] == "Ukraine"


def test_tariff_counts_follow_the_stock(client: FlaskClient) -> None:
    before = call(client, "tariffsRent", country=77)["count"]["7"]
    rent(client, country=77, days=7)
    assert call(client, "tariffsRent", country=77)["count"]["7"] == before - 1


def test_tariffs_for_an_unknown_country_are_empty(client: FlaskClient) -> None:
    assert call(client, "tariffsRent", country=999) == []


def test_numbers_are_unique_and_reproducible_by_seed() -> None:
    def numbers(seed: int) -> list[str]:
        c = make_app(SEED=seed).test_client()
        return [rent(c)["number"] for _ in range(5)]
    first = numbers(7)
    assert len(set(first)) == 5 and first == numbers(7) and first != numbers(8)


@pytest.mark.parametrize("count", [0, 1, 20, 21, 1000])
def test_pagination_arithmetic(client: FlaskClient, world: World, count: int) -> None:
    item = rent(client)
    world.store.db.executemany(
        "INSERT INTO sms(rental_id, sender, service, text, code, at) VALUES (?, 'S', 'Svc', ?, ?, ?)",
        [(item["tzid"], f"code {1000 + i}", str(1000 + i), START - count + i) for i in range(count)])
    page = call(client, "getRentState", pagination="true")["list"][0]["messages"]
    pages = max(1, -(-count // 20))
    assert (page["current_page"], page["from"], page["per_page"], page["total"], page["last_page"]) == (1, 1, 20, count, pages)
    assert page["to"] == min(count, 20) and len(page["data"]) == min(count, 20)
    if count:
        assert page["data"][0]["code"] == str(1000 + count - 1)  # newest first
        last = call(client, "getRentState", pagination="true", page=pages)["list"][0]["messages"]
        assert last["from"] == (pages - 1) * 20 + 1 and last["to"] == count
        assert last["data"][-1]["code"] == "1000"
    flat = call(client, "getRentState", pagination="false")["list"][0]["messages"]
    assert len(flat) == count


def test_pagination_flag_spellings(client: FlaskClient) -> None:
    rent(client)
    for raw, paged in [("false", False), ("0", False), ("", False), ("true", True), ("1", True), ("False", True), ("True", True)]:
        messages = call(client, "getRentState", pagination=raw)["list"][0]["messages"]
        assert isinstance(messages, dict) is paged, raw


def test_extension_flag_spellings(client: FlaskClient) -> None:
    for raw, on in [("false", 0), ("False", 0), ("0", 0), ("true", 1), ("TRUE", 1), ("1", 1)]:
        assert rent(client, days=1, extension=raw)["extension"] == on


def test_pyonlinesim_operation_id_alias_answers_the_pagination_object(client: FlaskClient) -> None:
    item = rent(client)
    got = call(client, "getRentState", operation_id=item["tzid"], pagination="False")["list"][0]
    assert got["tzid"] == item["tzid"] and isinstance(got["messages"], dict)
    extended = call(client, "extendRentState", operation_id=item["tzid"], days=1)
    assert isinstance(extended["list"][0]["messages"], dict)


def test_post_form_json_body_and_bearer_key_are_accepted(client: FlaskClient) -> None:
    assert client.post("/api/rent/getRentNum.php", data={"apikey": KEY, "country": 7, "days": 1}).json["response"] == 1
    assert client.post("/api/rent/getRentNum.php", json={"apikey": KEY, "country": 7, "days": 1, "extension": False}).json["item"]["extension"] == 0
    listed = client.get("/api/rent/getRentState.php", headers={"Authorization": f"Bearer {KEY}"}).json
    assert len(listed["list"]) == 2


def test_paths_are_normalised(client: FlaskClient) -> None:
    for path in ["/api//rent/getRentState.php", "/api/rent/getRentState", "/api/rent//getRentState.php"]:
        assert client.get(path, query_string={"apikey": KEY}).json == {"response": 1, "list": []}


def test_unknown_method_and_unknown_http_verb(client: FlaskClient) -> None:
    assert call(client, "getSomething") == {"response": "REQUEST_NOT_FOUND"}
    assert client.get("/api/getNothing.php?apikey=k").json == {"response": "REQUEST_NOT_FOUND"}
    assert client.delete("/api/rent/getRentState.php?apikey=k").json == {"response": "REQUEST_NOT_FOUND"}


def test_unknown_parameters_and_client_junk_are_ignored(client: FlaskClient) -> None:
    assert rent(client, dev_id="en", lang="ru", number="true", foo="bar")["rent"] == 7


def test_one_key_never_sees_or_touches_another_keys_rentals(client: FlaskClient) -> None:
    item = rent(client)
    assert call(client, "getRentState", apikey="key-b")["list"] == []
    assert call(client, "getRentState", apikey="key-b", tzid=item["tzid"])["list"] == []
    for method in ("extendRentState", "portReload", "closeRentNum", "portUnFreeze"):
        assert call(client, method, apikey="key-b", tzid=item["tzid"], days=1) == {"response": "ERROR_WRONG_TZID"}
    assert call(client, "getRentState")["list"][0]["tzid"] == item["tzid"]


def test_documented_profile_answers_the_documents_shapes() -> None:
    c = make_app(PROFILE="documented").test_client()
    item = rent(c)
    assert call(c, "closeRentNum", tzid=item["tzid"]) == {"response": True}
    assert call(c, "getBalance")["balance"] == "1000.00"
    other = rent(c)
    assert "list" not in call(c, "extendRentState", tzid=other["tzid"], days=1)


def test_balance_always_equals_the_ledger(client: FlaskClient, world: World, advance) -> None:
    for days in (1, 7, 30):
        item = rent(client, days=days)
        if days != 7:
            sms(world, item)
    advance(3 * 86400)
    assert world.audit() == []
