"""Helpers for the control-API tests: an in-process mock with its ``MockControl``, and one-line callers
for both providers' wire formats."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sms_rent_mock.mock_server.control import MockControl
from sms_rent_mock.mock_server.domain import World

from .conftest import START, make_app

KEY = "ctl-key"
OTHER = "ctl-other"
MINUTE, HOUR, DAY = 60, 3600, 86_400


@dataclass
class Mock:
    """One in-process mock: the app, a test client for provider calls and a control client."""

    app: Flask
    client: FlaskClient
    control: MockControl

    @property
    def world(self) -> World:
        found: World = self.app.extensions["rental_world"]
        return found

    def osim(self, method: str, *, apikey: str | None = KEY, **params: Any) -> Any:
        """An OnlineSim call (``getBalance`` lives outside ``/api/rent/``); returns the JSON body."""
        path = "/api/getBalance.php" if method == "getBalance" else f"/api/rent/{method}.php"
        query = {k: str(v) for k, v in params.items()}
        if apikey is not None:
            query["apikey"] = apikey
        response = self.client.get(path, query_string=query)
        assert response.status_code == 200
        return response.get_json()

    def pva(self, method: str, *, apikey: str | None = KEY, **params: Any) -> Any:
        """An SMSPVA call; returns the JSON body."""
        query = {"method": method, **{k: str(v) for k, v in params.items()}}
        if apikey is not None:
            query["apikey"] = apikey
        response = self.client.get("/api/rent.php", query_string=query)
        assert response.status_code == 200
        return response.get_json()

    def msg(self, method: str, **params: Any) -> str:
        body = self.pva(method, **params)
        assert body["status"] == 0, body
        found: str = body["msg"]
        return found

    def rent_osim(self, *, days: int = 7, apikey: str = KEY, **params: Any) -> dict[str, Any]:
        body = self.osim("getRentNum", apikey=apikey, country=7, days=days, **params)
        assert body["response"] == 1, body
        item: dict[str, Any] = body["item"]
        return item

    def create_pva(self, *, apikey: str = KEY, service: str = "opt6", **params: Any) -> dict[str, Any]:
        query = {"country": "RU", "service": service, "dtype": "week", "dcount": 1, **params}
        body = self.pva("create", apikey=apikey, **query)
        assert body["status"] == 1, body
        data: dict[str, Any] = body["data"]
        return data

    def order(self, order_id: int, *, apikey: str = KEY) -> dict[str, Any] | None:
        rows = self.pva("orders", apikey=apikey)["data"]
        return next((r for r in rows if r["id"] == order_id), None)

    def osim_item(self, tzid: int, *, apikey: str = KEY) -> dict[str, Any] | None:
        found = self.osim("getRentState", apikey=apikey, tzid=tzid)["list"]
        return found[0] if found else None


def mock(**config: Any) -> Mock:
    """A fresh in-process mock on a frozen clock at ``START`` (responses schema-checked)."""
    app = make_app(**config)
    return Mock(app, app.test_client(), MockControl.in_process(app, token=config.get("CONTROL_TOKEN")))




@pytest.fixture
def m() -> Iterator[Mock]:
    """A fresh in-process mock; its stores are closed afterwards."""
    found = mock()
    yield found
    found.world.store.close()


class CountingControl:
    """Counts the control calls a test makes through ``Mock.control``."""

    def __init__(self, target: Mock) -> None:
        self.calls: list[tuple[str, str]] = []
        inner = target.control._call

        def counted(method: str, path: str, *args: Any, **kwargs: Any) -> Any:
            self.calls.append((method, path))
            return inner(method, path, *args, **kwargs)

        target.control._call = counted  # type: ignore[method-assign]
