"""World.view(): a read is one read transaction, and it writes only when something fell due or a key is new."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from sms_rent_mock.mock_server.domain import CloseReason, RentRequest, World, clock, errors
from sms_rent_mock.mock_server.domain.settings import Settings
from sms_rent_mock.mock_server.config import new_world
from sms_rent_mock.mock_server.storage import Store

from .conftest import make_app

KEY = "view-key"


class CountingStore(Store):
    """A store that counts its write transactions."""

    writes = 0

    @contextmanager
    def write(self) -> Iterator[Any]:
        self.writes += 1
        with super().write() as db:
            yield db


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    found = new_world(CountingStore(str(tmp_path / "view.sqlite3")), clock_mode="frozen", start_time=1_700_000_000)
    yield found
    found.store.close()


def writes(world: World) -> int:
    return int(world.store.writes)  # type: ignore[attr-defined]


def rent(world: World, key: str = KEY) -> int:
    return world.rent(key, RentRequest("onlinesim", "RU", 1, period=1, guarded=True)).id


def move_clock(world: World, seconds: int) -> None:
    """Move the frozen clock without settling anything (as another worker's clock change would look)."""
    moved = clock.advanced(world.clock_state(), seconds).to_json()
    with world.store.write() as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'clock'", (moved,))


def test_a_read_of_a_known_key_with_nothing_due_never_writes(world: World) -> None:
    rental_id = rent(world)
    before = writes(world)
    with world.view(KEY) as v:
        assert [r.id for r in v.open_rentals("onlinesim")] == [rental_id]
        assert v.rental(rental_id, "onlinesim").id == rental_id
        assert v.account is not None and v.account.apikey == KEY
    assert world.rental(KEY, rental_id, "onlinesim").is_open
    assert world.stock("onlinesim", "RU")
    assert writes(world) == before


def test_a_new_key_is_created_by_its_first_read(world: World) -> None:
    with world.view("newcomer") as v:
        assert v.account is not None and v.account.balance == world.settings.start_balance
    assert writes(world) == 2  # the World's own set-up, then the account


def test_a_read_settles_what_fell_due_first(world: World) -> None:
    rental_id = rent(world)
    move_clock(world, world.settings.guard_seconds + 1)  # no SMS came: the guard window closes it
    before = writes(world)
    with world.view(KEY) as v:
        assert v.open_rentals("onlinesim") == []
        assert v.rental(rental_id, "onlinesim").close_reason == "unconfirmed"
    assert writes(world) == before + 1
    with world.view(KEY):
        pass
    assert writes(world) == before + 1


def test_a_view_is_one_snapshot_with_one_now(world: World, tmp_path: Path) -> None:
    rent(world)
    other = new_world(Store(str(tmp_path / "view.sqlite3")))  # another worker on the same file
    with world.view(KEY) as v:
        seen, now = len(v.open_rentals("onlinesim")), v.now
        rent(other)
        move_clock(other, 60)
        assert len(v.open_rentals("onlinesim")) == seen
        assert v.now == now
    with world.view(KEY) as v:
        assert len(v.open_rentals("onlinesim")) == seen + 1 and v.now == now + 60
    other.store.close()


def test_key_refusals_come_before_anything_and_change_nothing(world: World) -> None:
    with pytest.raises(errors.MissingKey):
        with world.view(""):
            pass
    world.settings = type(world.settings)(strict_keys=True)
    with pytest.raises(errors.UnknownKey):
        with world.view("stranger"):
            pass
    assert writes(world) == 1


def test_reading_sms_marks_them_read_once() -> None:
    app: Flask = make_app(DB=":memory:", ACTIVATION_DELAY=0)
    world: World = app.extensions["rental_world"]
    client = app.test_client()
    created = client.get("/api/rent.php", query_string={"method": "create", "apikey": KEY, "country": "RU",
                                                        "service": "opt1", "dtype": "week", "dcount": 1}).get_json()["data"]
    client.get("/api/rent.php", query_string={"method": "activate", "apikey": KEY, "id": created["id"]})
    world.deliver_sms(created["ccode"].lstrip("+") + created["pnumber"], "Your code 123456", service="opt1")
    orders = {"method": "orders", "apikey": KEY}
    assert client.get("/api/rent.php", query_string=orders).get_json()["data"][0]["hasnewsms"] is True
    calls: list[int] = []
    real_write = world.store.write

    @contextmanager
    def counted() -> Iterator[Any]:
        calls.append(1)
        with real_write() as db:
            yield db
    world.store.write = counted  # type: ignore[method-assign]
    read = {"method": "sms", "apikey": KEY, "id": created["id"]}
    first = client.get("/api/rent.php", query_string=read).get_json()
    assert len(calls) == 1
    assert client.get("/api/rent.php", query_string=read).get_json() == first
    assert len(calls) == 1
    assert client.get("/api/rent.php", query_string=orders).get_json()["data"][0]["hasnewsms"] is False
    assert len(calls) == 1
    world.store.close()


def test_a_view_inside_a_write_reads_that_write(world: World) -> None:
    with world.unit_of_work():
        with world.view("inner") as v:
            assert v.account is not None and v.account.apikey == "inner"
    assert world.account("inner").apikey == "inner"



def balance(world: World) -> Any:
    with world.view(KEY) as v:
        assert v.account is not None
        return v.account.balance


def open_ids(world: World) -> set[int]:
    with world.view(KEY) as v:
        return {r.id for r in v.open_rentals("onlinesim")}


def test_renting_reads_the_new_rental_in_its_own_transaction_and_a_failed_read_undoes_the_rent(
        world: World) -> None:
    first = rent(world)
    before = balance(world)
    with world.renting(KEY, RentRequest("onlinesim", "RU", 1, period=1, guarded=True)) as (rental, v):
        assert {r.id for r in v.open_rentals("onlinesim")} == {first, rental.id}
        assert v.rental(rental.id, "onlinesim").phone == rental.phone
    charged = balance(world)
    assert charged < before
    with pytest.raises(RuntimeError):
        with world.renting(KEY, RentRequest("onlinesim", "RU", 1, period=1, guarded=True)) as (failed, _):
            raise RuntimeError("the answer could not be written")
    assert balance(world) == charged
    assert open_ids(world) == {first, rental.id}


def test_a_rent_or_a_close_asks_the_store_for_the_key_s_account_and_the_clock_once(world: World) -> None:
    first = rent(world)  # creates the account
    seen: list[str] = []
    world.store.db.set_trace_callback(seen.append)
    second = rent(world)
    world.close(KEY, first, "onlinesim", reason=CloseReason.CLOSED)
    world.store.db.set_trace_callback(None)
    reads = [s for s in seen if "FROM accounts" in s or "FROM meta" in s]
    assert len(reads) == 2  # each transaction's first statement (the heading) and nothing after it
    assert not [s for s in seen if s.startswith("SAVEPOINT")]
    assert open_ids(world) == {second}


@pytest.mark.parametrize("auto_sms", [0, 60])
def test_what_a_rent_and_a_close_hand_back_is_what_a_read_finds(tmp_path: Path, auto_sms: int) -> None:
    """Rent and close build the rental they return instead of reading it back: it must be the stored one."""
    world = new_world(Store(str(tmp_path / "back.sqlite3")), Settings(auto_sms=auto_sms), clock_mode="frozen",
                      start_time=1_700_000_000)
    try:
        smspva = sorted(world.catalog().data["smspva"]["services"])[:2]
        requests = [RentRequest("onlinesim", "RU", 1, period=1, guarded=True, auto_renew=True),
                    RentRequest("onlinesim", "RU", 7, period=7),
                    RentRequest("smspva", "RU", 30, services=tuple(smspva), needs_activation=True),
                    RentRequest("smspva", "RU", 30, services=(smspva[0],))]

        def stored(rental_id: int, provider: str) -> Any:
            with world.view(KEY) as v:
                return v.rental(rental_id, provider)

        rented = [world.rent(KEY, req) for req in requests]
        assert [stored(r.id, r.provider) for r in rented] == rented
        world.change_clock(lambda state: clock.advanced(state, 10))
        delivered = world.deliver_sms(rented[1].number, "code 1234")  # confirmed: closed without a refund
        assert delivered.delivered
        for rental in rented:
            closed = world.close(KEY, rental.id, rental.provider, reason=CloseReason.CLOSED)
            assert closed == stored(rental.id, rental.provider)
            assert closed.paid == (rental.paid if rental.id == rented[1].id else 0)
    finally:
        world.store.close()
