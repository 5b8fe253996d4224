"""SMSPVA money and limits: every charge a ledger row at price_day x days with the catalog's discount,
prolong only inside the window and the 90-day term, delete refunds only an order that got no SMS, and
the store, stock and balance shared with OnlineSim."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from flask.testing import FlaskClient

from sms_rent_mock.fixtures import SmsFaker
from sms_rent_mock.mock_server.domain import World

from .conftest import START, make_app
from .smspva_helpers import DAY, HOUR, KEY, OTHER_KEY, Pva, balance, free, ledger, retire

Advance = Callable[[float], None]


@pytest.fixture
def pva(client: FlaskClient) -> Pva:
    return Pva(client)


def charges(world: World) -> list[tuple[Decimal, str]]:
    return [(-e.amount, e.memo) for e in ledger(world) if e.kind == "charge"]


@pytest.mark.parametrize(("dtype", "dcount", "price"), [
    ("week", 1, "3.50"), ("week", 4, "14.00"), ("week", 5, "15.75"), ("month", 1, "13.50"), ("month", 2, "27.00")])
def test_create_charges_price_day_times_days_with_the_discount(pva: Pva, world: World, dtype: str, dcount: int,
                                                               price: str) -> None:
    created = pva.create(dtype=dtype, dcount=dcount)
    days = dcount * (7 if dtype == "week" else 30)
    assert created["until"] == START + days * DAY and created["ccode"] == "+7" and created["service"] == "opt6"
    assert charges(world) == [(Decimal(price), f"rent {days} days")]
    assert balance(world) == Decimal(1000) - Decimal(price)
    assert world.audit() == []


def test_create_takes_one_number_from_the_operator_asked_for(pva: Pva, world: World) -> None:
    before = free(world, "RU", "opt6", "Tele2"), free(world, "RU", "opt6")
    created = pva.create(provider="Tele2")
    row = world.store.db.execute("SELECT operator, needs_activation FROM rentals WHERE id = ?",
                                 (created["id"],)).fetchone()
    assert tuple(row) == ("Tele2", 1)
    assert (free(world, "RU", "opt6", "Tele2"), free(world, "RU", "opt6")) == (before[0] - 1, before[1] - 1)


def test_create_multi_charges_every_service_and_takes_one_number_for_all(pva: Pva, world: World) -> None:
    before = free(world, "RU", "opt6"), free(world, "RU", "opt2")
    created = pva.ok("create_multi", country="RU", services="opt6,opt2", dtype="week", dcount=1)
    assert created["service"] == "opt6,opt2"
    assert charges(world) == [(Decimal("7.70"), "rent 7 days")]    # (0.5 + 0.6) x 7
    assert (free(world, "RU", "opt6"), free(world, "RU", "opt2")) == (before[0] - 1, before[1] - 1)
    assert pva.order(created["id"])["sname"] == "Fiverr, Facebook"


def test_out_of_stock_and_low_balance_rent_nothing(pva: Pva, world: World) -> None:
    for _ in range(2):
        pva.create(country="CA", service="opt83", dtype="month", provider="Telus")
    spent = balance(world)
    assert pva.fail("create", country="CA", service="opt83", dtype="month", dcount=1, provider="Telus") \
        == "No numbers available"
    assert pva.fail("create", country="RU", service="opt83", dtype="month", dcount=40) == "Balance is not enough"
    assert balance(world) == spent and len(pva.ok("orders")) == 2


@pytest.mark.parametrize(("rent_days", "price"), [(None, "4.20"), (7, "4.20"), (1, "0.60")])
def test_add_service_charges_the_extra_service_and_takes_its_stock(pva: Pva, world: World, rent_days: int | None,
                                                                   price: str) -> None:
    created = pva.create(provider="MTS")
    opt2 = free(world, "RU", "opt2", "MTS")
    extra = {} if rent_days is None else {"rent_days": rent_days}
    data = pva.ok("add_service_to_order", id=created["id"], service="opt2", pnumber="7" + created["pnumber"], **extra)
    assert data == {"id": created["id"], "pnumber": created["pnumber"], "service": "opt2", "until": created["until"]}
    days = rent_days or 7
    assert charges(world)[-1] == (Decimal(price), f"add opt2 for {days} days")
    assert free(world, "RU", "opt2", "MTS") == opt2 - 1
    assert pva.order(created["id"])["scode"] == "opt6,opt2"
    pva.ok("delete", id=created["id"])
    assert free(world, "RU", "opt2", "MTS") == opt2  # the number returns to both services' stock


def test_add_service_refusals(pva: Pva, world: World) -> None:
    created = pva.create()
    number = "7" + created["pnumber"]
    assert pva.fail("add_service_to_order", id=created["id"], service="opt6", pnumber=number) \
        == "Service is already in the order"
    assert pva.fail("add_service_to_order", id=created["id"], service="opt2", pnumber="79990000000") \
        == "Incorrect pnumber"
    assert pva.fail("add_service_to_order", id=created["id"], service="opt999", pnumber=number) == "Service not found"
    assert pva.as_key(OTHER_KEY).fail("add_service_to_order", id=created["id"], service="opt2", pnumber=number) \
        == "order not found"
    retire(world, created["id"])
    assert pva.fail("add_service_to_order", id=created["id"], service="opt2", pnumber="+" + number) \
        == "Phone number is not in the system"
    assert len(charges(world)) == 1


def test_prolong_is_refused_until_fewer_than_7_days_remain(pva: Pva, world: World, advance: Advance) -> None:
    created = pva.create()
    row = pva.order(created["id"])
    assert (row["canprolong"], row["canprolongmax"], row["canprolonguntil"]) == (False, 83, START + 90 * DAY)
    assert pva.fail("prolong", id=created["id"], dtype="week", dcount=1) \
        == "Prolongation is possible only when fewer than 7 days remain"
    assert pva.fail("prolong_max", id=created["id"], dtype="day", dcount=1) \
        == "Prolongation is possible only when fewer than 7 days remain"
    assert len(charges(world)) == 1
    advance(1)
    assert pva.order(created["id"])["canprolong"] is True
    assert pva.ok("prolong", id=created["id"], dtype="week", dcount=1) == {"id": created["id"]}
    row = pva.order(created["id"])
    assert row["until"] == created["until"] + 7 * DAY and row["canprolong"] is False and row["canprolongmax"] == 76
    assert charges(world)[-1] == (Decimal("3.50"), "extend 7 days")


def test_prolong_by_month_and_by_days_charge_with_the_same_discount(pva: Pva, world: World, advance: Advance) -> None:
    created = pva.create()
    advance(HOUR)
    pva.ok("prolong", id=created["id"], dtype="month", dcount=1)
    advance(30 * DAY)
    pva.ok("prolong_max", id=created["id"], dtype="day", dcount=5)
    assert [c for c, _ in charges(world)] == [Decimal("3.50"), Decimal("13.50"), Decimal("2.50")]
    assert pva.order(created["id"])["until"] == created["until"] + 35 * DAY
    assert world.audit() == []


def test_the_90_day_guarantee_caps_prolongation(pva: Pva, world: World, advance: Advance) -> None:
    created = pva.create(dtype="month", dcount=2)
    advance(54 * DAY)
    row = pva.order(created["id"])
    assert (row["canprolong"], row["canprolongmax"], row["canprolonguntil"]) == (True, 30, START + 90 * DAY)
    assert pva.fail("prolong_max", id=created["id"], dtype="day", dcount=31) \
        == "Prolongation would pass the 90-day maximum"
    assert pva.fail("prolong", id=created["id"], dtype="week", dcount=5) == "Prolongation would pass the 90-day maximum"
    pva.ok("prolong_max", id=created["id"], dtype="day", dcount=30)
    advance(30 * DAY)  # 6 days left: inside the window, but the term is used up
    row = pva.order(created["id"])
    assert row["until"] == START + 90 * DAY and (row["canprolong"], row["canprolongmax"]) == (False, 0)
    assert pva.fail("prolong_max", id=created["id"], dtype="day", dcount=1) \
        == "Prolongation would pass the 90-day maximum"


def test_prolong_refusals_outside_an_open_order(pva: Pva, world: World, advance: Advance) -> None:
    created = pva.create()
    advance(HOUR)
    retire(world, created["id"])
    row = pva.order(created["id"])
    assert (row["state"], row["canprolong"], row["canprolongmax"]) == (-1, False, 0)
    assert pva.fail("prolong", id=created["id"], dtype="week", dcount=1) == "Phone number is not in the system"
    deleted = pva.create(service="opt2")
    pva.ok("delete", id=deleted["id"])
    assert pva.fail("prolong", id=deleted["id"], dtype="week", dcount=1) == "Order is closed"


def test_delete_before_any_sms_refunds_everything_paid(pva: Pva, world: World, advance: Advance) -> None:
    created = pva.create(provider="MTS")
    pva.ok("add_service_to_order", id=created["id"], service="opt2", pnumber="7" + created["pnumber"])
    stock_before = free(world, "RU", "opt6", "MTS")
    pva.ok("delete", id=created["id"])
    assert balance(world) == Decimal(1000)
    assert [e.kind for e in ledger(world)] == ["deposit", "charge", "charge", "refund"]
    assert free(world, "RU", "opt6", "MTS") == stock_before + 1


def test_delete_after_an_sms_refunds_nothing(pva: Pva, world: World, advance: Advance) -> None:
    created = pva.create()
    pva.ok("activate", id=created["id"])
    advance(world.settings.activation_delay)
    assert world.deliver_sms("7" + created["pnumber"], "Google code 1234", service="opt6").delivered
    pva.ok("delete", id=created["id"])
    assert balance(world) == Decimal("996.50")
    assert [e.kind for e in ledger(world)] == ["deposit", "charge"]
    assert pva.ok("get_rent_history")[0]["haveSms"] is True


def test_a_number_held_through_smspva_is_not_handed_out_by_onlinesim(pva: Pva, world: World, client: FlaskClient,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    held = pva.create()["pnumber"]
    drawn = SmsFaker.national_number

    def first_draw_collides(self: SmsFaker, pattern: str, *key: object) -> str:
        return held if key[-1] == 0 else drawn(self, pattern, *key)

    monkeypatch.setattr(SmsFaker, "national_number", first_draw_collides)
    body = client.get("/api/rent/getRentNum.php", query_string={"apikey": KEY, "country": "7", "days": "1"}).get_json()
    assert body["response"] == 1 and body["item"]["number"] != held
    assert balance(world) == Decimal(1000) - Decimal("3.50") - Decimal(30)  # one account, two providers
    assert [r["id"] for r in pva.ok("orders")] == [100_000]                 # each provider lists its own


def test_low_starting_balance_refuses_create_without_side_effects() -> None:
    app = make_app(START_BALANCE="3")
    world: World = app.extensions["rental_world"]
    pva = Pva(app.test_client())
    stock_before = free(world, "RU", "opt6")
    assert pva.fail("create", country="RU", service="opt6", dtype="week", dcount=1) == "Balance is not enough"
    assert free(world, "RU", "opt6") == stock_before and pva.ok("orders") == []
    assert balance(world) == Decimal(3)
    world.store.close()


@pytest.mark.parametrize("method", ["getdata", "getdataWithProviders"])
@pytest.mark.parametrize(("dtype", "dcount"), [("week", 1), ("week", 4), ("week", 5), ("month", 1), ("month", 3)])
def test_getdata_price_day_times_days_is_what_create_charges(pva: Pva, world: World, method: str, dtype: str,
                                                             dcount: int) -> None:
    """Issue 11 point 5: a client quoting price_day x days for the period it asked about is exact."""
    days = dcount * (7 if dtype == "week" else 30)
    rows = pva.ok(method, country="RU", dtype=dtype, dcount=dcount)["services"]
    quoted = {r["service"]: Decimal(str(r["price_day"])) for r in rows}
    for service in ("opt6", "opt16"):   # 0.55 a day: a discounted month is 0.495, not a whole cent
        pva.create(service=service, dtype=dtype, dcount=dcount)
        charged, _ = charges(world)[-1]
        assert (quoted[service] * days).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP") == charged, service


def test_getdata_shows_the_discount_from_30_days_and_refuses_dtype_day(pva: Pva) -> None:
    def day_price(**period: object) -> Decimal:
        rows = pva.ok("getdata", country="RU", **period)["services"]
        return Decimal(str(next(r["price_day"] for r in rows if r["service"] == "opt16")))
    assert day_price() == day_price(dtype="week", dcount=1) == day_price(dtype="week", dcount=4) == Decimal("0.55")
    assert day_price(dtype="month", dcount=1) == day_price(dtype="week", dcount=5) == Decimal("0.495")
    assert pva.fail("getdata", country="RU", dtype="day", dcount=1) == "Incorrect dtype"
