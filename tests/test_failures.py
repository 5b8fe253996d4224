"""Unexpected failures: JSON in the route's own format (never an HTML 500), logged once, no key in the log."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask

from sms_rent_mock.mock_server import failures
from sms_rent_mock.mock_server.domain import admin
from sms_rent_mock.mock_server.providers import onlinesim, smspva

from .conftest import make_app

SECRET = "sk-very-secret-key-4711"


@pytest.fixture
def served() -> Flask:
    """A mock that answers exceptions as it does when served (TESTING would propagate them)."""
    app = make_app(PROPAGATE_EXCEPTIONS=False, VALIDATE=False)
    yield app
    app.extensions["rental_world"].store.close()


def boom(*args: Any, **kwargs: Any) -> Any:
    raise KeyError(f"no row for {SECRET}")


def logged(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter("%(message)s")
    return "\n".join(formatter.format(r) + (r.exc_text or "") for r in caplog.records)


def test_a_provider_failure_is_the_envelope_and_keeps_the_key_out_of_the_log(
        served: Flask, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(onlinesim.METHODS, "getBalance", boom)
    monkeypatch.setitem(smspva.METHODS, "orders", boom)
    caplog.set_level(logging.ERROR)
    client = served.test_client()
    first = client.get(f"/api/getBalance.php?apikey={SECRET}")
    assert first.status_code == 500 and first.json == {"response": "TRY_AGAIN_LATER"}
    pva = client.get(f"/api/rent.php?method=orders&apikey={SECRET}")
    assert pva.status_code == 500 and pva.json == {"status": 0, "msg": "Try again later"}
    assert client.get("/api/getBalance.php", headers={"Authorization": f"Bearer {SECRET}"}).status_code == 500
    text = logged(caplog)
    assert "KeyError" in text and "***" in text
    assert SECRET not in text
    assert len(caplog.records) == 1  # the same cause (three times, on two routes) is logged once


def test_a_control_failure_is_the_control_error_shape_without_the_key_in_the_log(
        served: Flask, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin, "put_account", boom)
    caplog.set_level(logging.ERROR)
    response = served.test_client().put(f"/_mock/accounts/{SECRET}", json={"balance": 5})
    assert response.status_code == 500 and response.is_json
    assert set(response.json) == {"error", "field"} and SECRET not in response.json["error"]
    text = logged(caplog)
    assert "/_mock/accounts/***" in text and SECRET not in text


def test_flask_own_exception_log_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    record = logging.LogRecord("flask.app", logging.ERROR, __file__, 1, "Exception on %s [%s]",
                               (f"/_mock/accounts/{SECRET}", "PUT"), None)
    failures.RedactingFilter().filter(record)
    assert record.getMessage() == "Exception on /_mock/accounts/*** [PUT]"
    assert failures.redact(f"GET /x?apikey={SECRET}&a=1 Bearer {SECRET}") == "GET /x?apikey=***&a=1 Bearer ***"


def test_not_found_stays_a_plain_404(served: Flask) -> None:
    assert served.test_client().get("/nothing/here").status_code == 404
