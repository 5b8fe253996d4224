"""Both fidelity profiles answer every method, each reply validated (VALIDATE=raise) against the profile's
schema; ``documented`` gives the seed's literal shapes. Also checks the schema files themselves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft7Validator

from sms_rent_mock import schemas
from sms_rent_mock.mock_server.domain import World, clock
from sms_rent_mock.mock_server.providers import smspva, smspva_common

from .conftest import make_app
from .smspva_helpers import DAY, Pva

PROFILES = ("live", "documented")


@pytest.fixture(params=PROFILES)
def profiled(request: pytest.FixtureRequest) -> Iterator[tuple[str, Flask]]:
    app = make_app(PROFILE=request.param)
    yield request.param, app
    app.extensions["rental_world"].store.close()


def tour(pva: Pva, world: World) -> dict[str, Any]:
    """Every method once, successfully; returns each method's data (``...`` where a reply has none)."""
    move = lambda seconds: world.change_clock(lambda s: clock.advanced(s, seconds))  # noqa: E731
    out: dict[str, Any] = {}
    for method, params in [("getcountries", {}), ("get_default_services", {}),
                           ("get_country_by_service", {"service": "opt6", "dtype": "month"}),
                           ("getdata", {"country": "RU"}), ("getdataWithProviders", {"country": "KZ"}),
                           ("getcount", {"country": "UA"}), ("getCountWithProviders", {"country": "CA"}),
                           ("get_count_multi", {"country": "RU", "services": "opt6,opt2", "dtype": "week",
                                                "dcount": 2}),
                           ("get_days_canada_paypal", {}),
                           ("get_min_paypal_days", {"country": "CA", "service": "opt83"})]:
        out[method] = pva.ok(method, **params)
    made = out["create"] = pva.create()
    out["create_multi"] = pva.ok("create_multi", country="RU", services="opt2,opt29", dtype="week", dcount=1)
    body = pva.raw("add_service_to_order", id=made["id"], service="opt16", pnumber="7" + made["pnumber"])
    out["add_service_to_order"] = body.get("data", ...)
    out["activate"] = pva.ok("activate", id=made["id"])
    move(world.settings.activation_delay)
    world.deliver_sms("7" + made["pnumber"], "Instagram code 123 456", sender="INSTAGRAM")
    world.deliver_sms("7" + made["pnumber"], "Some bank: code 9999", sender="BANK")
    out["orders"] = pva.ok("orders")
    out["sms"] = pva.ok("sms", id=made["id"])
    move(DAY)
    out["prolong_max"] = pva.ok("prolong_max", id=made["id"], dtype="day", dcount=1)
    move(2 * DAY)
    out["prolong"] = pva.ok("prolong", id=made["id"], dtype="week", dcount=1)
    out["delete"] = pva.ok("delete", id=out["create_multi"]["id"])
    move(13 * DAY)
    out["get_rent_history"] = pva.ok("get_rent_history", take=5)
    out["restore_user_precalc"] = pva.ok("restore_user_precalc", id=made["id"])
    out["restore_user"] = pva.ok("restore_user", id=made["id"])
    return out


def test_every_method_answers_and_validates_in_both_profiles(profiled: tuple[str, Flask]) -> None:
    _, app = profiled
    out = tour(Pva(app.test_client()), app.extensions["rental_world"])
    assert sorted(out) == sorted(smspva.METHODS)
    assert out["get_rent_history"] and out["orders"]


def test_documented_profile_answers_the_seeds_literal_shapes() -> None:
    app = make_app(PROFILE="documented")
    out = tour(Pva(app.test_client()), app.extensions["rental_world"])
    assert isinstance(out["getdata"], list) and set(out["getdata"][0]) == {"name", "service", "price_day", "count"}
    assert [m["sender"] for m in out["sms"]] == ["BANK", "INSTAGRAM"]     # one list, every SMS, newest first
    assert out["restore_user"] is True
    assert out["add_service_to_order"] is ...                             # {"status": 1} alone
    assert set(out["getcountries"][0]) == {"name", "code"}
    assert "isAvailForRestore" not in out["get_rent_history"][0]
    app.extensions["rental_world"].store.close()


def test_live_profile_answers_what_clients_parse() -> None:
    app = make_app()
    out = tour(Pva(app.test_client()), app.extensions["rental_world"])
    assert set(out["getdata"]) == {"services", "totalAmount"}
    assert [m["sender"] for m in out["sms"]["SmsList"]] == ["INSTAGRAM"]
    assert [m["sender"] for m in out["sms"]["OtherSms"]] == ["BANK"]
    assert out["restore_user"] == {"id": out["create"]["id"]}
    assert out["add_service_to_order"]["id"] == out["create"]["id"]
    assert [h["orderId"] for h in out["get_rent_history"]] == [out["create"]["id"], out["create_multi"]["id"]]
    assert all(h["isAvailForRestore"] for h in out["get_rent_history"])
    app.extensions["rental_world"].store.close()


@pytest.mark.parametrize("name", schemas.names("smspva"))
def test_every_schema_is_valid_self_contained_draft_07(name: str) -> None:
    schema = schemas.load("smspva", name)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(schema)
    refs = json.dumps(schema).split('"$ref": ')[1:]
    assert all(ref.startswith('"#/definitions/') for ref in refs)


def test_every_msg_text_is_listed_in_the_error_schema() -> None:
    check = schemas.validator("smspva", "error")
    texts = {*smspva.MESSAGES.values(), *smspva.RESTORE_CODES.values(), *smspva_common.TEXTS.values()}
    for method in smspva.METHODS:
        for prop in schemas.load("smspva", f"{method}.request")["properties"].values():
            texts.update(prop[k] for k in ("x-error", "x-missing-error") if k in prop)
    for text in texts:
        msg = text.format(window=7, term=90, days=30, amount="15.50")
        assert check.is_valid({"status": 0, "msg": msg}), msg
    assert not check.is_valid({"status": 0, "msg": "something else"})
