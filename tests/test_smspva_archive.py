"""SMSPVA archive and restore on a frozen clock: history paging, the quote arithmetic, the restore, and
every restore error brought about by its real cause (never by forcing the code)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from flask.testing import FlaskClient

from sms_rent_mock.fixtures import SmsFaker
from sms_rent_mock.mock_server.domain import World, clock

from .conftest import START, make_app
from .smspva_helpers import DAY, HOUR, KEY, OTHER_KEY, Pva, balance, free, ledger, retire, withdraw

Advance = Callable[[float], None]
RESTORE = ("restore_user_precalc", "restore_user")


@pytest.fixture
def pva(client: FlaskClient) -> Pva:
    return Pva(client)


def expired(pva: Pva, advance: Advance, *, overdue: float = HOUR, **create: object) -> dict[str, object]:
    """An order that ran out ``overdue`` seconds ago."""
    created = pva.create(**create)  # type: ignore[arg-type]
    days = int(created["until"]) - START
    advance(days + overdue)
    return created


def refuse_both(pva: Pva, world: World, order: object, msg: str) -> None:
    """Both restore methods give ``msg`` and nothing changes (a first-seen key only gets its account)."""
    def state() -> tuple[object, ...]:
        money = world.store.db.execute("SELECT COUNT(*) FROM ledger WHERE kind != 'deposit'").fetchone()[0]
        return money, *map(tuple, world.store.db.execute("SELECT * FROM rentals ORDER BY id"))
    before = state()
    for method in RESTORE:
        assert pva.fail(method, id=order) == msg, method
    assert state() == before


def test_history_lists_expired_and_deleted_orders_newest_first(pva: Pva, world: World, advance: Advance) -> None:
    first = pva.create()
    advance(HOUR)
    second = pva.create(service="opt2", provider="Beeline")
    pva.ok("delete", id=second["id"])
    advance(7 * DAY)
    history = pva.ok("get_rent_history")
    assert [h["orderId"] for h in history] == [first["id"], second["id"]]
    item = history[0]
    assert item == {"orderId": first["id"], "resourceCode": "opt6", "number": "7" + str(first["pnumber"]),
                    "branchId": item["branchId"], "haveSms": False, "isAvailForRestore": True, "days": 7,
                    "country": "RU", "begin": START, "end": START + 7 * DAY, "closed": START + 7 * DAY}
    assert history[1]["closed"] == START + HOUR and history[1]["branchId"] == 2   # Beeline: 2nd RU operator
    assert history[1]["isAvailForRestore"] is True   # deleted, and its paid time has run out by now


def test_history_pages_with_skip_and_take(pva: Pva, advance: Advance) -> None:
    ids = []
    for _ in range(12):
        ids.append(pva.create()["id"])
        pva.ok("delete", id=ids[-1])
        advance(60)
    newest_first = list(reversed(ids))
    assert [h["orderId"] for h in pva.ok("get_rent_history")] == newest_first[:10]
    assert [h["orderId"] for h in pva.ok("get_rent_history", skip=1, take=2)] == newest_first[1:3]
    assert [h["orderId"] for h in pva.ok("get_rent_history", skip=10, take=10)] == newest_first[10:]
    assert pva.ok("get_rent_history", skip=12) == []
    assert pva.as_key(OTHER_KEY).ok("get_rent_history") == []


@pytest.mark.parametrize(("overdue", "outdays"), [(1, 1), (DAY, 1), (DAY + 1, 2), (2 * DAY + 12 * HOUR, 3)])
def test_restore_quote_is_overdue_days_plus_30_at_full_daily_price(pva: Pva, advance: Advance, overdue: int,
                                                                   outdays: int) -> None:
    created = expired(pva, advance, overdue=overdue)
    quote = pva.ok("restore_user_precalc", id=created["id"])
    price = float((outdays + 30) * Decimal("0.5"))  # 31+ days, yet no discount
    assert quote == {"ccode": "RU", "scode": "opt6", "price": price, "sname": "Fiverr",
                     "pnumber": "7" + str(created["pnumber"]), "outdays": outdays, "orderid": created["id"],
                     "prolongTo": 30}


def test_restore_quote_of_a_multi_service_order_sums_every_service(pva: Pva, advance: Advance) -> None:
    created = pva.ok("create_multi", country="RU", services="opt6,opt2", dtype="week", dcount=1)
    advance(7 * DAY + 1)
    quote = pva.ok("restore_user_precalc", id=created["id"])
    assert quote["price"] == float(31 * (Decimal("0.5") + Decimal("0.6")))
    assert quote["scode"] == "opt6,opt2" and quote["sname"] == "Fiverr, Facebook"


def test_restore_charges_the_quote_and_brings_the_order_back(pva: Pva, world: World, advance: Advance) -> None:
    created = expired(pva, advance, overdue=DAY + 1, provider="MTS")
    quote = pva.ok("restore_user_precalc", id=created["id"])
    before, stock = balance(world), free(world, "RU", "opt6", "MTS")
    assert pva.ok("restore_user", id=created["id"]) == {"id": created["id"]}
    assert balance(world) == before - Decimal(str(quote["price"]))
    assert (ledger(world)[-1].kind, ledger(world)[-1].memo) == ("charge", "restore")
    row = pva.order(created["id"])
    assert row["until"] == int(created["until"]) + (2 + 30) * DAY and row["state"] == 0
    assert row["pnumber"] == created["pnumber"]
    assert free(world, "RU", "opt6", "MTS") == stock - 1
    assert pva.ok("get_rent_history") == []
    refuse_both(pva, world, created["id"], "DATEDIFFINVERT")   # open again: not expired
    assert world.audit() == []


def test_notowner_when_the_archived_order_is_another_keys(pva: Pva, world: World, advance: Advance) -> None:
    created = expired(pva, advance)
    refuse_both(pva.as_key(OTHER_KEY), world, created["id"], "NOTOWNER")


def test_datediffinvert_for_the_callers_open_order(pva: Pva, world: World) -> None:
    """Issue 11 point 9: "Looks like your order was not expired" names an open order more precisely."""
    created = pva.create()
    refuse_both(pva, world, created["id"], "DATEDIFFINVERT")
    refuse_both(pva.as_key(OTHER_KEY), world, created["id"], "NOREMOTEDATA")  # another key's: invisible


def test_noremotedata_for_an_unknown_id_or_another_providers_rental(pva: Pva, world: World,
                                                                    client: FlaskClient) -> None:
    refuse_both(pva, world, 999_999, "NOREMOTEDATA")
    body = client.get("/api/rent/getRentNum.php", query_string={"apikey": KEY, "country": "7", "days": "1"}).get_json()
    client.get("/api/rent/closeRentNum.php", query_string={"apikey": KEY, "tzid": body["item"]["tzid"]})
    refuse_both(pva, world, body["item"]["tzid"], "NOREMOTEDATA")


def test_datediffinvert_when_a_deleted_order_has_paid_time_left(pva: Pva, world: World, advance: Advance) -> None:
    created = pva.create()
    pva.ok("delete", id=created["id"])
    advance(7 * DAY - 1)
    refuse_both(pva, world, created["id"], "DATEDIFFINVERT")
    assert pva.ok("get_rent_history")[0]["isAvailForRestore"] is False
    advance(1)
    assert pva.ok("restore_user_precalc", id=created["id"])["outdays"] == 1


def test_noavaildays_when_30_prepaid_days_would_pass_the_90_day_guarantee(pva: Pva, world: World,
                                                                          advance: Advance) -> None:
    created = expired(pva, advance, overdue=1, dtype="month", dcount=2)   # day 60 + 1 s: 60 + 30 > 90
    refuse_both(pva, world, created["id"], "NOAVAILDAYS")
    assert pva.ok("get_rent_history")[0]["isAvailForRestore"] is False


def test_noavaildays_when_the_number_left_the_system(pva: Pva, world: World, advance: Advance) -> None:
    created = pva.create()
    retire(world, created["id"])
    advance(7 * DAY + 1)
    refuse_both(pva, world, created["id"], "NOAVAILDAYS")


def test_noavaildays_when_the_number_was_rented_again_meanwhile(pva: Pva, world: World, client: FlaskClient,
                                                                advance: Advance,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    created = expired(pva, advance)
    monkeypatch.setattr(SmsFaker, "national_number", lambda self, pattern, *key: str(created["pnumber"]))
    body = client.get("/api/rent/getRentNum.php", query_string={"apikey": OTHER_KEY, "country": "7", "days": "1"})
    assert body.get_json()["item"]["number"] == created["pnumber"]   # the number was free, so OnlineSim took it
    refuse_both(pva, world, created["id"], "NOAVAILDAYS")


def test_noordercountry_when_the_catalog_no_longer_has_the_country(pva: Pva, world: World, advance: Advance) -> None:
    created = expired(pva, advance, country="KZ", service="opt2")
    withdraw(world, country="KZ")
    refuse_both(pva, world, created["id"], "NOORDERCOUNTRY")


def test_noservicedata_when_the_catalog_no_longer_has_the_service(pva: Pva, world: World, advance: Advance) -> None:
    created = expired(pva, advance, service="opt46")
    withdraw(world, service="opt46")
    refuse_both(pva, world, created["id"], "NOSERVICEDATA")


def test_nobalance_states_the_amount_needed_and_the_quote_still_answers() -> None:
    app = make_app(START_BALANCE="10")
    world: World = app.extensions["rental_world"]
    pva = Pva(app.test_client())
    created = pva.create()                                    # 3.50 of 10 spent
    world.change_clock(lambda s: clock.advanced(s, 7 * DAY + 1))
    assert pva.ok("restore_user_precalc", id=created["id"])["price"] == 15.5
    assert pva.fail("restore_user", id=created["id"]) == "NOBALANCE: Today need 15.50 USD"
    assert balance(world) == Decimal("6.50") and pva.ok("orders") == []
    world.store.close()
