"""The published OnlineSim clients, unchanged but for their base URL, against a live mock."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from flask import Flask
from onlinesimru import RentNumbersService, UserService
from onlinesimru.exceptions import NoNumberException, RequestException
from pyonlinesim import OnlineRent

from sms_rent_mock.mock_server.domain import World

from .conftest import make_app
from .live import serving

KEY = "client-key"


@pytest.fixture
def live() -> Iterator[tuple[str, World]]:
    app: Flask = make_app(VALIDATE="raise")
    with serving(app) as url:
        yield url, app.extensions["rental_world"]


def test_onlinesimru_rent_numbers_service_flow(live: tuple[str, World]) -> None:
    url, world = live
    rent = RentNumbersService(KEY, base_url=url)
    user = UserService(KEY, base_url=url)
    assert float(user.balance()["balance"]) == 1000

    tariffs = rent.get_tariffs()
    assert {t.code for t in tariffs} >= {7, 77, 380}
    tariff = rent.get_tariff(country=380)
    assert tariff.code == 380 and tariff.days[7] > 0

    item = rent.rent_new_number(country=7, days=7, extension=False)
    tzid = item["tzid"]
    assert world.rental(KEY, tzid, "onlinesim").days == 7

    assert [n.tzid for n in rent.get_numbers()] == [tzid]
    number = rent.get_number(tzid)
    assert number.status == 0 and rent.get_messages(tzid) == [] and rent.get_last_message(tzid) is None

    world.deliver_sms(f"7{number.number}", "Your Telegram code: 48213", sender="Telegram", service="Telegram")
    world.deliver_sms(f"7{number.number}", "Your Telegram code: 90210", sender="Telegram", service="Telegram")
    assert [m.code for m in rent.get_messages(tzid)] == ["90210", "48213"]  # newest first
    assert rent.get_last_message(tzid).code == "90210"
    assert rent.get_number(tzid).status == 1
    assert rent.get_number_by_phone_number(f"7{number.number}").tzid == tzid

    extended = rent.extend_number_rental(tzid, days=1)
    assert extended.rent == 8 and world.rental(KEY, tzid, "onlinesim").days == 8
    assert rent.port_reload(tzid) == {"response": 1}
    assert world.rental(KEY, tzid, "onlinesim").reload_at is not None

    assert rent.revoke_number(tzid)["response"] == 1
    assert not world.rental(KEY, tzid, "onlinesim").is_open
    with pytest.raises(NoNumberException):
        rent.get_number(tzid)
    assert float(user.balance()["balance"]) == 1000 - 150 - 25
    assert world.audit() == []


def test_onlinesimru_sees_provider_errors(live: tuple[str, World]) -> None:
    url, _ = live
    with pytest.raises(RequestException, match="UNDEFINED_DAYS"):
        RentNumbersService(KEY, base_url=url).rent_new_number(country=7, days=2)


def test_pyonlinesim_online_rent_flow(live: tuple[str, World]) -> None:
    url, world = live

    async def flow() -> None:
        client = OnlineRent(KEY)
        client.BASE_URL = f"{url}/api/rent/"
        tariffs = await client.get_tariffs()
        assert {t.id for t in tariffs} >= {7, 77, 380}
        balance = await client.get_balance()
        assert balance.balance == 1000

        number = await client.rent_number(country=7, days=7, auto_renewal=True)
        assert number.extension == 1 and number.messages.total_messages == 0
        world.deliver_sms(f"7{number.number}", "Code 123456", sender="Google", service="Google")

        info = await client.get_rent_info(number.operation_id)
        assert info.status == 1 and info.messages.data[0].code == "123456"
        extended = await client.extend_rent(number.operation_id, days=7)
        assert extended.rent == 14
        assert world.rental(KEY, number.operation_id, "onlinesim").days == 14

        finished = await client.finish_rent(number.operation_id)
        assert finished.operation_id == number.operation_id
        assert not world.rental(KEY, number.operation_id, "onlinesim").is_open
        assert (await client.get_balance()).balance == 1000 - 150 - 175

    asyncio.run(flow())
