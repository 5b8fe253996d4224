"""Hostile input on the provider routes (issue 9): each case refused in the provider's own envelope,
before anything is stored, and no charge without its success answer."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from sms_rent_mock.mock_server.domain import World
from sms_rent_mock.mock_server.domain.snapshot import STATE_TABLES
from sms_rent_mock.mock_server.providers import onlinesim

from .test_onlinesim import KEY, call

pytestmark = pytest.mark.usefixtures("backend")  # hostile input on SQLite and PostgreSQL (NUL, sizes)

RENT = {"apikey": KEY, "country": "7", "days": "1"}


def state(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row that a situation consists of (the throttle's real-time bookkeeping aside)."""
    db = world.store.db
    return {t: sorted(tuple(r) for r in db.execute(f"SELECT * FROM {t}")) for t in STATE_TABLES}


def balance(client: FlaskClient) -> Any:
    return call(client, "getBalance")["balance"]


@pytest.mark.parametrize("page", ["abc", "1e3", "-1", "9" * 40, "1.5"])
def test_a_bad_page_on_get_rent_num_is_refused_before_the_rent(client: FlaskClient, world: World, page: str) -> None:
    balance(client)
    before = state(world)
    query = client.get("/api/rent/getRentNum.php", query_string={**RENT, "page": page})
    form = client.post("/api/rent/getRentNum.php", data={**RENT, "page": page})
    body = client.post("/api/rent/getRentNum.php", json={**RENT, "page": page})
    for response in (query, form, body):
        assert response.status_code == 200 and response.json == {"response": "ERROR_PARAMS"}
    assert state(world) == before


def test_a_good_page_on_get_rent_num_still_rents(client: FlaskClient) -> None:
    body = call(client, "getRentNum", country=7, days=1, page=" 2 ")
    assert body["response"] == 1 and body["item"]["messages"]["current_page"] == 2
    assert balance(client) < 1000


def test_a_bad_page_on_extend_is_refused_before_the_charge(client: FlaskClient, world: World) -> None:
    tzid = call(client, "getRentNum", country=7, days=1)["item"]["tzid"]
    before = state(world)
    body = call(client, "extendRentState", tzid=tzid, days=1, pagination=1, page="x")
    assert body == {"response": "ERROR_PARAMS"}
    assert state(world) == before


def test_a_failure_while_rendering_rolls_the_charge_back(client: FlaskClient, world: World,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    balance(client)
    before = state(world)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("render failed")

    monkeypatch.setattr(onlinesim, "render", broken)
    response = client.get("/api/rent/getRentNum.php", query_string=RENT)
    assert response.status_code == 500 and response.is_json
    assert response.json == {"response": "TRY_AGAIN_LATER"}
    assert state(world) == before
    monkeypatch.undo()
    assert call(client, "getRentNum", country=7, days=1)["response"] == 1  # the store is not left locked


def test_smspva_failure_while_rendering_rolls_the_order_back(client: FlaskClient, world: World,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from sms_rent_mock.mock_server.providers import smspva_orders

    query = {"method": "create", "apikey": KEY, "dtype": "week", "dcount": "1", "country": "RU", "service": "opt6"}
    client.get("/api/rent.php", query_string={"method": "orders", "apikey": KEY})
    before = state(world)
    monkeypatch.setattr(smspva_orders, "ok", lambda *a, **k: 1 / 0)
    response = client.get("/api/rent.php", query_string=query)
    assert response.status_code == 500 and response.json == {"status": 0, "msg": "Try again later"}
    assert state(world) == before


def test_a_refusal_after_an_account_was_made_leaves_no_account(client: FlaskClient, world: World) -> None:
    before = state(world)
    response = client.get("/api/rent.php", query_string={"method": "restore_user_precalc", "apikey": "fresh",
                                                         "id": "123"})
    assert response.json == {"status": 0, "msg": "NOREMOTEDATA"}
    assert state(world) == before


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("path", ["/api/rent/getRentNum.php", "/api/rent/getRentState.php", "/api/getBalance.php"])
def test_a_deeply_nested_json_body_is_error_params(client: FlaskClient, world: World, path: str) -> None:
    before = state(world)
    for body in (deep(10_000), '{"apikey": "k", "x": ' + deep(40) + "}", '{"apikey": "k", "days": NaN}'):
        response = client.post(f"{path}?apikey={KEY}&country=7&days=1", data=body, content_type="application/json")
        assert response.status_code == 200 and response.json == {"response": "ERROR_PARAMS"}
    assert state(world) == before


def test_a_deeply_nested_json_body_on_smspva(client: FlaskClient, world: World) -> None:
    before = state(world)
    response = client.get("/api/rent.php?method=orders&apikey=k", data=deep(10_000), content_type="application/json")
    assert response.status_code == 200 and response.json == {"status": 0, "msg": "Incorrect parameters"}
    assert state(world) == before


def test_head_changes_nothing(client: FlaskClient, world: World) -> None:
    balance(client)
    before = state(world)
    assert client.head("/api/rent/getRentNum.php", query_string=RENT).status_code == 200
    assert client.head("/api/rent.php", query_string={"method": "create", "apikey": KEY, "dtype": "week",
                                                      "dcount": "1", "country": "RU", "service": "opt6"}).status_code == 200
    assert state(world) == before
    assert call(client, "getRentNum", country=7, days=1)["response"] == 1  # GET of the same call does rent


def test_head_of_a_read_only_method_answers_like_get(client: FlaskClient) -> None:
    get = client.get("/api/getBalance.php", query_string={"apikey": KEY})
    head = client.head("/api/getBalance.php", query_string={"apikey": KEY})
    assert head.status_code == get.status_code == 200
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    not_found = client.get("/api/rent/noSuchMethod.php", query_string={"apikey": KEY})
    assert not_found.json == {"response": "REQUEST_NOT_FOUND"}
    head_rent = client.head("/api/rent/getRentNum.php", query_string=RENT)
    assert head_rent.headers["Content-Length"] == not_found.headers["Content-Length"]


@pytest.mark.parametrize("blank", [" ", "\t", "   \n "])
def test_a_blank_key_is_no_key(client: FlaskClient, world: World, blank: str) -> None:
    before = state(world)
    assert call(client, "getBalance", apikey=blank) == {"response": "ERROR_NO_KEY"}
    assert call(client, "getRentNum", apikey=blank, country=7, days=1) == {"response": "ERROR_NO_KEY"}
    pva = client.get("/api/rent.php", query_string={"method": "orders", "apikey": blank})
    assert pva.json == {"status": 0, "msg": "API key is required"}
    assert client.get("/api/getBalance.php", headers={"Authorization": "Bearer  "}).json == {"response": "ERROR_NO_KEY"}
    assert state(world) == before


@pytest.mark.parametrize(("name", "value"), [("lang", "x" * 257), ("dev_id", "y" * 300), ("other", "z" * 1025)])
def test_long_ignored_parameters_are_refused(client: FlaskClient, world: World, name: str, value: str) -> None:
    before = state(world)
    assert call(client, "getRentNum", country=7, days=1, **{name: value}) == {"response": "ERROR_PARAMS"}
    assert state(world) == before


def test_a_form_body_beyond_werkzeug_limits_is_error_params(client: FlaskClient, world: World) -> None:
    before = state(world)
    fields = {f"f{i}": "1" for i in range(1500)}  # werkzeug refuses more than 1000 multipart parts
    for data in ({**RENT, "x": "y" * 600_000}, {**RENT, **fields}):
        response = client.post("/api/rent/getRentNum.php", data=data, content_type="multipart/form-data")
        assert response.status_code == 200 and response.json == {"response": "ERROR_PARAMS"}
    pva = client.get("/api/rent.php?method=orders&apikey=k", data=fields, content_type="multipart/form-data")
    assert pva.json == {"status": 0, "msg": "Incorrect parameters"}
    assert state(world) == before


# a schema pattern's \s takes the ASCII separators \x1c-\x1f, which int() refuses
SEPARATED = [("/api/rent/getRentState.php", {"tzid": "1\x1f"}), ("/api/rent/closeRentNum.php", {"tzid": "\x1c1"}),
             ("/api/rent/extendRentState.php", {"tzid": "1\x1e", "days": "1\x1d"}),
             ("/api/rent/getRentNum.php", {"country": "7", "days": "1\x1f"}),
             *(("/api/rent.php", {"method": m, "id": "0\x1f"}) for m in ("sms", "delete", "activate", "prolong",
                                                                        "restore_user", "restore_user_precalc"))]


@pytest.mark.parametrize(("path", "params"), SEPARATED)
def test_numbers_with_separator_whitespace_are_read_never_a_500(client: FlaskClient, path: str,
                                                                  params: dict[str, str]) -> None:
    response = client.get(path, query_string={"apikey": KEY, **params})
    assert response.status_code == 200 and response.is_json
