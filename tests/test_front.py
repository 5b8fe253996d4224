"""The provider front: provider paths answered straight from WSGI, everything else by the Flask app."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from flask import Flask, has_request_context, jsonify

from sms_rent_mock.mock_server import front
from sms_rent_mock.mock_server.exchange import current
from sms_rent_mock.mock_server.providers import onlinesim, smspva, wire

from .conftest import make_app


@pytest.fixture
def app() -> Flask:
    found = make_app()
    yield found
    found.extensions["rental_world"].store.close()


def test_a_provider_call_runs_outside_flask_with_its_exchange(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    original = onlinesim.METHODS["getBalance"]

    def balance(world: Any, values: dict[str, str]) -> Any:
        seen.update(flask=has_request_context(), exchange=current(), values=values)
        return original(world, values)
    monkeypatch.setitem(onlinesim.METHODS, "getBalance", balance)
    reply = app.test_client().get("/api/getBalance.php?apikey=k1&apikey=k2")
    assert reply.status_code == 200 and reply.get_json()["response"] == 1
    assert seen["flask"] is False and seen["exchange"].call == ("onlinesim", "getBalance")
    assert seen["values"]["apikey"] == "k1"  # the first of a repeated name, as werkzeug's args give it
    assert current() is None  # nothing left behind once answered


def test_the_smspva_method_named_in_a_form_body_is_the_call(app: Flask) -> None:
    reply = app.test_client().post("/api/rent.php", data={"method": "orders", "apikey": "k"})
    assert reply.get_json() == {"status": 0, "msg": smspva.SMSPVA.codes.wrong_verb}  # POST refused, method known
    entry = app.test_client().get("/_mock/requests").get_json()["requests"][0]
    assert (entry["provider"], entry["method"]) == ("smspva", "orders")


def test_other_paths_go_to_flask(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/_mock/clock").get_json()["mode"] == "frozen"
    assert client.get("/api/rent/").status_code == 404  # a folder without a method is no provider route
    assert client.get("/nowhere").status_code == 404


def test_a_method_no_provider_route_takes_is_405(app: Flask) -> None:
    reply = app.test_client().open("/api/rent/getRentState.php", method="TRACE")
    assert reply.status_code == 405 and "GET" in reply.headers["Allow"]


def test_head_sends_the_headers_of_the_answer_without_its_body(app: Flask) -> None:
    client = app.test_client()
    full = client.get("/api/rent.php?method=orders&apikey=k")
    head = client.head("/api/rent.php?method=orders&apikey=k")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == full.headers["Content-Length"] == str(len(full.data))


def test_replies_are_written_as_flask_writes_json(app: Flask) -> None:
    body = {"response": 1, "text": "Код: 1234", "list": [{"a": None, "b": 1.5}]}
    with app.app_context():
        assert front.encode(body) == jsonify(body).get_data()
    assert front.encode(b"raw") == b"raw"


def test_a_failure_is_the_busy_code_logged_once(monkeypatch: pytest.MonkeyPatch,
                                                caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    monkeypatch.setitem(onlinesim.METHODS, "getBalance", lambda world, values: 1 / 0)
    client = app.test_client()
    with caplog.at_level(logging.ERROR, logger="sms_rent_mock"):
        first, again = (client.get("/api/getBalance.php?apikey=k") for _ in range(2))
    assert first.status_code == again.status_code == 500
    assert json.loads(first.data) == {"response": "TRY_AGAIN_LATER"}
    assert sum("ZeroDivisionError" in r.getMessage() for r in caplog.records) == 1
    app.extensions["rental_world"].store.close()


def test_a_schema_violation_reaches_a_test_and_is_a_header_when_served(monkeypatch: pytest.MonkeyPatch) -> None:
    def bogus(world: Any, values: dict[str, str]) -> Any:
        return wire.reply("onlinesim", "getBalance.response", {"response": 1})
    monkeypatch.setitem(onlinesim.METHODS, "getBalance", bogus)
    strict = make_app()
    with pytest.raises(AssertionError, match="breaks its schema"):
        strict.test_client().get("/api/getBalance.php?apikey=k")
    lenient = make_app(VALIDATE=True)
    reply = lenient.test_client().get("/api/getBalance.php?apikey=k")
    assert reply.status_code == 200 and "balance" in reply.headers["X-Mock-Schema-Violation"]
    for found in (strict, lenient):
        found.extensions["rental_world"].store.close()


def test_the_provider_dialects_import_no_flask() -> None:
    """They run outside any Flask context now: a Flask import there would be a request global waiting to fail."""
    import ast
    from importlib.resources import files

    for source in files("sms_rent_mock.mock_server.providers").iterdir():
        if source.name.endswith(".py"):
            tree = ast.parse(source.read_text(encoding="utf-8"))
            imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
            imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
            assert not {name for name in imported if name.split(".")[0] == "flask"}, source.name
