"""SMSPVA order states on a frozen clock: every allowed and refused transition, and SMS only while online.

create -> 0; activate -> 2; after ACTIVATION_DELAY -> 1; after ONLINE_WINDOW -> 0; -1 once the number
left the system. Deleted and expired orders leave ``orders`` and refuse further changes.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from sms_rent_mock.mock_server.domain import World, clock

from .conftest import make_app
from .smspva_helpers import DAY, OTHER_KEY, Pva, retire

Advance = Callable[[float], None]


@pytest.fixture
def pva(client: FlaskClient) -> Pva:
    return Pva(client)


def _new(pva: Pva, world: World, advance: Advance) -> int:
    return int(pva.create()["id"])


def _activating(pva: Pva, world: World, advance: Advance) -> int:
    order = _new(pva, world, advance)
    pva.ok("activate", id=order)
    return order


def _online(pva: Pva, world: World, advance: Advance) -> int:
    order = _activating(pva, world, advance)
    advance(world.settings.activation_delay)
    return order


def _offline_again(pva: Pva, world: World, advance: Advance) -> int:
    order = _online(pva, world, advance)
    advance(world.settings.online_window)
    return order


def _gone(pva: Pva, world: World, advance: Advance) -> int:
    order = _online(pva, world, advance)
    retire(world, order)
    return order


def _deleted(pva: Pva, world: World, advance: Advance) -> int:
    order = _new(pva, world, advance)
    pva.ok("delete", id=order)
    return order


def _expired(pva: Pva, world: World, advance: Advance) -> int:
    order = _new(pva, world, advance)
    advance(7 * DAY)
    return order


SETUPS = {"new": _new, "activating": _activating, "online": _online, "offline_again": _offline_again,
          "gone": _gone, "deleted": _deleted, "expired": _expired}
STATE = {"new": 0, "activating": 2, "online": 1, "offline_again": 0, "gone": -1}

# activate from each situation: the resulting state, or the refusal
ACTIVATE = {"new": 2, "activating": 2, "online": 1, "offline_again": 2, "gone": "Phone number is not in the system",
            "deleted": "Order is closed", "expired": "Order is closed"}
# delete from each situation: True (removed) or the refusal
DELETE = {"new": True, "activating": True, "online": True, "offline_again": True, "gone": True,
          "deleted": "Order is closed", "expired": "Order is closed"}
# prolong (inside the window) and add_service from each situation: True (done) or the refusal
CHANGE = {"new": True, "activating": True, "online": True, "offline_again": True,
          "gone": "Phone number is not in the system", "deleted": "Order is closed", "expired": "Order is closed"}


@pytest.mark.parametrize("situation", sorted(STATE))
def test_open_orders_show_their_state(pva: Pva, world: World, advance: Advance, situation: str) -> None:
    order = SETUPS[situation](pva, world, advance)
    assert pva.order(order)["state"] == STATE[situation]


@pytest.mark.parametrize("situation", sorted(ACTIVATE))
def test_activate_from_every_situation(pva: Pva, world: World, advance: Advance, situation: str) -> None:
    order = SETUPS[situation](pva, world, advance)
    expected = ACTIVATE[situation]
    if isinstance(expected, int):
        assert pva.ok("activate", id=order) == {"id": order}
        assert pva.order(order)["state"] == expected
    else:
        window = "SELECT online_from, online_until FROM rentals WHERE id = ?"
        before = tuple(world.store.db.execute(window, (order,)).fetchone())
        assert pva.fail("activate", id=order) == expected
        assert tuple(world.store.db.execute(window, (order,)).fetchone()) == before


@pytest.mark.parametrize("situation", sorted(DELETE))
def test_delete_from_every_situation(pva: Pva, world: World, advance: Advance, situation: str) -> None:
    order = SETUPS[situation](pva, world, advance)
    expected = DELETE[situation]
    if expected is True:
        assert pva.ok("delete", id=order) == {"id": order}
        assert order not in [r["id"] for r in pva.ok("orders")]
        assert order in [h["orderId"] for h in pva.ok("get_rent_history")]
        assert world.store.db.execute("SELECT close_reason FROM rentals WHERE id = ?", (order,)).fetchone()[0] \
            == "deleted"
    else:
        assert pva.fail("delete", id=order) == expected


@pytest.mark.parametrize("situation", sorted(CHANGE))
def test_prolong_and_add_service_from_every_situation(pva: Pva, world: World, advance: Advance,
                                                      situation: str) -> None:
    order = SETUPS[situation](pva, world, advance)
    advance(1)  # now fewer than 7 days remain; no line state changes within a second
    state = world.store.db.execute("SELECT expires_at, services FROM rentals WHERE id = ?", (order,)).fetchone()
    number = "7" + str(world.store.db.execute("SELECT phone FROM rentals WHERE id = ?", (order,)).fetchone()[0])
    expected = CHANGE[situation]
    if expected is True:
        assert pva.ok("prolong", id=order, dtype="week", dcount=1) == {"id": order}
        assert pva.ok("add_service_to_order", id=order, service="opt2", pnumber=number)["id"] == order
        row = pva.order(order)
        assert (row["until"], row["scode"]) == (state["expires_at"] + 7 * DAY, "opt6,opt2")
        assert row["state"] == STATE[situation]
    else:
        assert pva.fail("prolong", id=order, dtype="week", dcount=1) == expected
        assert pva.fail("add_service_to_order", id=order, service="opt2", pnumber=number) == expected
        after = world.store.db.execute("SELECT expires_at, services FROM rentals WHERE id = ?", (order,)).fetchone()
        assert tuple(after) == tuple(state)


@pytest.mark.parametrize("situation", sorted(SETUPS))
def test_sms_can_be_read_in_every_situation_including_the_archive(pva: Pva, world: World, advance: Advance,
                                                                 situation: str) -> None:
    order = SETUPS[situation](pva, world, advance)
    assert pva.ok("sms", id=order) == {"SmsList": [], "OtherSms": []}


def test_activation_queue_and_online_window_follow_the_settings_to_the_second(pva: Pva, world: World,
                                                                               advance: Advance) -> None:
    delay, window = world.settings.activation_delay, world.settings.online_window
    order = _activating(pva, world, advance)
    advance(delay - 1)
    assert pva.order(order)["state"] == 2
    advance(1)
    assert pva.order(order)["state"] == 1
    advance(window - 1)
    assert pva.order(order)["state"] == 1
    advance(1)
    assert pva.order(order)["state"] == 0


def test_activate_while_activating_does_not_restart_the_queue(pva: Pva, world: World, advance: Advance) -> None:
    order = _activating(pva, world, advance)
    advance(world.settings.activation_delay - 60)
    pva.ok("activate", id=order)
    advance(60)
    assert pva.order(order)["state"] == 1


def test_lastonline_is_zero_until_online_then_kept_after_going_offline(pva: Pva, world: World,
                                                                      advance: Advance) -> None:
    order = _activating(pva, world, advance)
    assert pva.order(order)["lastonline"] == 0
    advance(world.settings.activation_delay + 100)
    assert pva.order(order)["lastonline"] == world.now()
    went_offline = world.now() - 100 + world.settings.online_window
    advance(world.settings.online_window + 5000)
    row = pva.order(order)
    assert row["state"] == 0 and row["lastonline"] == went_offline


def test_an_order_expires_at_until_and_moves_to_the_archive(pva: Pva, world: World, advance: Advance) -> None:
    created = pva.create()
    advance(7 * DAY - 1)
    assert pva.order(created["id"])["until"] == created["until"]
    advance(1)
    assert pva.ok("orders") == []
    [item] = pva.ok("get_rent_history")
    assert (item["orderId"], item["end"], item["closed"]) == (created["id"], created["until"], created["until"])


@pytest.mark.parametrize("situation", ["new", "activating", "offline_again", "gone"])
def test_sms_does_not_reach_a_number_that_is_not_online(pva: Pva, world: World, advance: Advance,
                                                        situation: str) -> None:
    order = SETUPS[situation](pva, world, advance)
    number = "7" + pva.order(order)["pnumber"]
    delivery = world.deliver_sms(number, "Your Fiverr code: 12345", sender="FIVERR", service="opt6")
    assert not delivery.delivered and delivery.rental_id == order
    assert pva.order(order)["hasnewsms"] is False
    assert pva.ok("sms", id=order) == {"SmsList": [], "OtherSms": []}


def test_sms_while_online_sets_hasnewsms_until_read(pva: Pva, world: World, advance: Advance) -> None:
    order = _online(pva, world, advance)
    number = "7" + pva.order(order)["pnumber"]
    assert world.deliver_sms(number, "G-123456 is your Fiverr code", sender="FIVERR", service="opt6").delivered
    first_at = world.now()
    assert pva.order(order)["hasnewsms"] is True
    advance(30)
    assert world.deliver_sms(number, "WhatsApp code 222-333", sender="WHATSAPP").delivered
    data = pva.ok("sms", id=order)
    assert data["SmsList"] == [{"text": "G-123456 is your Fiverr code", "sender": "FIVERR", "date": first_at}]
    assert data["OtherSms"] == [{"text": "WhatsApp code 222-333", "sender": "WHATSAPP", "date": first_at + 30}]
    assert pva.order(order)["hasnewsms"] is False
    assert world.deliver_sms(number, "another Fiverr code 5555", service="opt6").delivered
    assert pva.order(order)["hasnewsms"] is True


def test_sms_for_an_added_service_and_unattributed_sms_count_for_the_order(pva: Pva, world: World,
                                                                          advance: Advance) -> None:
    order = _online(pva, world, advance)
    pnumber = pva.order(order)["pnumber"]
    pva.ok("add_service_to_order", id=order, service="opt2", pnumber="7" + pnumber)
    world.deliver_sms("7" + pnumber, "Facebook code 4321", sender="FACEBOOK")
    advance(1)
    world.deliver_sms("7" + pnumber, "code 9876")
    data = pva.ok("sms", id=order)
    assert [m["text"] for m in data["SmsList"]] == ["code 9876", "Facebook code 4321"]  # newest first
    assert data["OtherSms"] == []


def test_a_scripted_code_sms_arrives_only_once_the_number_is_online() -> None:
    app = make_app(AUTO_SMS=60)
    world: World = app.extensions["rental_world"]
    pva = Pva(app.test_client())
    order = pva.create()["id"]
    pva.ok("activate", id=order)
    world.change_clock(lambda s: clock.advanced(s, world.settings.activation_delay + 59))
    assert pva.order(order)["hasnewsms"] is False
    world.change_clock(lambda s: clock.advanced(s, 1))
    assert pva.order(order)["hasnewsms"] is True
    [message] = pva.ok("sms", id=order)["SmsList"]
    assert "Fiverr" in message["text"] and message["date"] == world.now()
    app.extensions["rental_world"].store.close()


def test_another_key_can_neither_see_nor_touch_an_order(pva: Pva, world: World, advance: Advance) -> None:
    order = _online(pva, world, advance)
    other = pva.as_key(OTHER_KEY)
    assert other.ok("orders") == []
    for method in ("activate", "sms", "delete"):
        assert other.fail(method, id=order) == "order not found"
    assert other.fail("prolong", id=order, dtype="week", dcount=1) == "order not found"
    assert other.fail("sms", id=999_999) == "order not found"
    assert pva.order(order)["state"] == 1
