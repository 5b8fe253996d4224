"""The official ``smspva-sdk`` (sync and async), unchanged but for its rental base URL, calls every rental
method against a live mock over real HTTP; the World's state is checked after every state-changing call."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from smspva import SMSPVA, AsyncSMSPVA
from smspva.errors import ApiError

from sms_rent_mock.mock_server.domain import World, clock

from .conftest import START, make_app
from .live import serving
from .smspva_helpers import DAY, balance, free, ledger

SDK_KEY = "sdk-key"
Call = Callable[..., Any]


@pytest.fixture
def live() -> Iterator[tuple[str, World]]:
    app = make_app()
    with serving(app) as url:
        yield url, app.extensions["rental_world"]
    app.extensions["rental_world"].store.close()


def sync_caller(url: str, key: str | None = SDK_KEY) -> tuple[Call, Callable[[], None]]:
    client = SMSPVA(key, rental_base_url=url)
    return lambda name, **kw: getattr(client.rental, name)(**kw), client.close


def async_caller(url: str, key: str | None = SDK_KEY) -> tuple[Call, Callable[[], None]]:
    """The async client driven from a private event loop, so one flow serves both clients."""
    loop = asyncio.new_event_loop()
    client = loop.run_until_complete(_make_async(key, url))

    def call(name: str, **kw: Any) -> Any:
        return loop.run_until_complete(getattr(client.rental, name)(**kw))

    def close() -> None:
        loop.run_until_complete(client.aclose())
        loop.close()
    return call, close


async def _make_async(key: str | None, url: str) -> AsyncSMSPVA:
    return AsyncSMSPVA(key, rental_base_url=url)


CALLERS = {"sync": sync_caller, "async": async_caller}


def row(world: World, rental_id: int) -> dict[str, Any]:
    found = world.store.db.execute("SELECT * FROM rentals WHERE id = ?", (rental_id,)).fetchone()
    assert found is not None
    return dict(found)


def public_tour(call: Call) -> None:
    """All ten public methods; each answers status 1 with data."""
    answers = [
        call("get_countries"), call("get_default_services"),
        call("get_countries_by_service", service="opt6", dtype="week", dcount=1),
        call("get_data", country="RU"), call("get_data_with_providers", country="RU", dtype="month", dcount=1),
        call("get_count", country="RU"), call("get_count_with_providers", country="RU"),
        call("get_multi_service_count", country="RU", services="opt6,opt2", dtype="week", dcount=1),
        call("get_canada_paypal_days"), call("get_minimum_paypal_days", country="CA", service="opt83"),
    ]
    assert all(a["status"] == 1 and "data" in a for a in answers)
    assert answers[3]["data"]["services"] and answers[5]["data"]["opt6"] == 42


@pytest.mark.parametrize("flavour", sorted(CALLERS))
def test_sdk_calls_every_rental_method_successfully(live: tuple[str, World], flavour: str) -> None:
    url, world = live
    advance = lambda seconds: world.change_clock(lambda s: clock.advanced(s, seconds))  # noqa: E731
    call, close = CALLERS[flavour](url)
    keyless_call, keyless_close = CALLERS[flavour](url, None)
    try:
        public_tour(call)
        public_tour(keyless_call)

        stock = free(world, "RU", "opt6", "MTS")
        made = call("create", dtype="week", dcount=1, country="RU", service="opt6", provider="MTS")["data"]
        order = made["id"]
        assert row(world, order)["operator"] == "MTS" and free(world, "RU", "opt6", "MTS") == stock - 1
        assert made["until"] == START + 7 * DAY and balance(world, SDK_KEY) == Decimal("996.50")

        multi = call("create_multi", dtype="week", dcount=1, country="RU", services="opt2,opt16")["data"]["id"]
        assert row(world, multi)["services"] == "opt2,opt16" and ledger(world, SDK_KEY)[-1].rental_id == multi

        added = call("add_service_to_order", id=order, service="opt2", pnumber="7" + made["pnumber"], rent_days=7)
        assert added["data"]["id"] == order and row(world, order)["services"] == "opt6,opt2"
        assert ledger(world, SDK_KEY)[-1].memo == "add opt2 for 7 days"

        listed = call("get_orders")["data"]
        assert {o["id"]: o["state"] for o in listed} == {order: 0, multi: 0}

        assert call("activate", id=order)["status"] == 1
        assert row(world, order)["online_from"] == START + world.settings.activation_delay
        advance(world.settings.activation_delay)
        assert world.deliver_sms("7" + made["pnumber"], "Your Fiverr code: 55123", sender="FIVERR").delivered
        messages = call("get_sms", id=order)["data"]
        assert messages["SmsList"][0]["text"] == "Your Fiverr code: 55123" and messages["OtherSms"] == []
        assert world.rental(SDK_KEY, order, "smspva").unread == 0

        advance(DAY)  # fewer than 7 days left: prolongation opens
        assert call("prolong_by_days", id=order, dtype="day", dcount=2)["status"] == 1
        assert row(world, order)["expires_at"] == START + 9 * DAY
        advance(2 * DAY)
        assert call("prolong", id=order, dtype="week", dcount=1)["status"] == 1
        assert row(world, order)["expires_at"] == START + 16 * DAY
        assert [e.memo for e in ledger(world, SDK_KEY)[-2:]] == ["extend 2 days", "extend 7 days"]

        assert call("delete_order", id=multi)["data"] == {"id": multi}
        assert row(world, multi)["close_reason"] == "deleted" and ledger(world, SDK_KEY)[-1].kind == "refund"
        history = call("get_history", skip=0, take=10)["data"]
        assert [h["orderId"] for h in history] == [multi]

        advance(13 * DAY)  # the first order expires (12 minutes ago), on day 16 of its 90-day term
        assert row(world, order)["close_reason"] == "expired"
        quote = call("get_restore_cost", id=order)["data"]
        assert quote["outdays"] == 1 and quote["price"] == float(31 * (Decimal("0.5") + Decimal("0.6")))
        before = balance(world, SDK_KEY)
        assert call("restore", id=order)["data"] == {"id": order}
        assert row(world, order)["closed_at"] is None
        assert balance(world, SDK_KEY) == before - Decimal(str(quote["price"]))
        assert world.audit() == []
    finally:
        close()
        keyless_close()


@pytest.mark.parametrize("flavour", sorted(CALLERS))
def test_sdk_sees_a_refusal_as_api_error_carrying_the_msg(live: tuple[str, World], flavour: str) -> None:
    url, world = live
    call, close = CALLERS[flavour](url)
    try:
        with pytest.raises(ApiError) as caught:
            call("get_restore_cost", id=123)
        assert (caught.value.http_status, caught.value.code) == (200, 0)
        assert caught.value.response == {"status": 0, "msg": "NOREMOTEDATA"}
        with pytest.raises(ApiError) as caught:
            call("create", dtype="fortnight", dcount=1, country="RU", service="opt6")
        assert caught.value.response["msg"] == "Incorrect dtype"
        assert world.store.db.execute("SELECT COUNT(*) FROM rentals").fetchone()[0] == 0
    finally:
        close()
