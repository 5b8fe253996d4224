"""OnlineSim details checked against the provider's documents and published clients (issue 11): the zone of
its wall-clock times and the `extend` form of rentals without auto-renewal, both settings."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sms_rent_mock.mock_server.domain import Settings, World, clock

from .conftest import START, make_app
from .test_onlinesim import call, rent, sms


@pytest.fixture
def made() -> Iterator[Any]:
    apps: list[Flask] = []

    def build(**settings: Any) -> FlaskClient:
        apps.append(make_app(**{k.upper(): v for k, v in settings.items()}))
        return apps[-1].test_client()
    yield build
    for app in apps:
        app.extensions["rental_world"].store.close()


def _wall(ts: int, minutes: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts + minutes * 60))


def _confirmed(client: FlaskClient) -> dict[str, Any]:
    world: World = client.application.extensions["rental_world"]
    item = rent(client)
    world.change_clock(lambda s: clock.advanced(s, 300))
    sms(world, item)
    found: dict[str, Any] = call(client, "getRentState", tzid=item["tzid"])["list"][0]
    return found


@pytest.mark.parametrize("minutes", [None, 0, 330, -300])
def test_times_are_written_in_the_configured_zone(made: Any, minutes: int | None) -> None:
    """Default Moscow (UTC+3, no offset in the text); 0 gives UTC; half-hour and western zones work."""
    client = made() if minutes is None else made(onlinesim_utc_offset=minutes)
    zone = 180 if minutes is None else minutes
    got = _confirmed(client)
    assert got["checked_time"] == _wall(START + 300, zone)
    assert [m["created_at"] for m in got["messages"]] == [_wall(START + 300, zone)]


def test_the_zone_can_be_changed_at_runtime_and_is_bounded(made: Any) -> None:
    client = made()
    item = rent(client)
    before = call(client, "getRentState", tzid=item["tzid"])["list"][0]["checked_time"]
    assert before == _wall(START, 180)   # unconfirmed: the creation time
    answer = client.patch("/_mock/settings", json={"onlinesim_utc_offset": 0})
    assert answer.status_code == 200 and answer.get_json()["settings"]["onlinesim_utc_offset"] == 0
    assert call(client, "getRentState", tzid=item["tzid"])["list"][0]["checked_time"] == _wall(START, 0)
    for bad in (841, -721, "3", 1.5):
        refused = client.patch("/_mock/settings", json={"onlinesim_utc_offset": bad})
        assert refused.status_code == 400 and refused.get_json()["field"] == "onlinesim_utc_offset", bad
    assert client.get("/_mock/settings").get_json()["settings"]["onlinesim_utc_offset"] == 0
    with pytest.raises(ValueError, match="onlinesim_utc_offset"):
        Settings(onlinesim_utc_offset=15 * 60)
    with pytest.raises(ValueError, match="onlinesim_utc_offset"):
        Settings.from_mapping({"ONLINESIM_UTC_OFFSET": "-800"})


def test_extend_is_the_price_map_by_default_even_without_auto_renewal(made: Any) -> None:
    client = made()
    item = rent(client, extension="false")
    assert item["extension"] == 0 and item["extend"] == {"1": 25, "7": 175, "15": 375, "30": 750}


def test_extend_off_list_setting_sends_an_empty_list_only_without_auto_renewal(made: Any) -> None:
    """Issue 11 point 10: the live API is reported to send [] there; the setting lets a client be tested on it."""
    client = made(onlinesim_extend_off_list=True)
    off, on = rent(client, extension="false"), rent(client, extension="true")
    assert off["extend"] == [] and on["extend"] == {"1": 25, "7": 175, "15": 375, "30": 750}
    listed = {i["tzid"]: i["extend"] for i in call(client, "getRentState")["list"]}
    assert listed == {off["tzid"]: [], on["tzid"]: on["extend"]}
    extended = call(client, "extendRentState", tzid=off["tzid"], days=1)
    assert extended["response"] == 1 and extended["item"]["extend"] == [] and extended["item"]["rent"] == 8
