"""Provider policy as data: each catalog market says its pricing, the providers pass a ``Market`` per
provider, and a catalog stored before markets said their pricing still works."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from sms_rent_mock.fixtures import load_catalog
from sms_rent_mock.mock_server.config import new_world
from sms_rent_mock.mock_server.domain import World
from sms_rent_mock.mock_server.domain.catalog import DAILY, PERIODS, Catalog, with_pricing
from sms_rent_mock.mock_server.domain.rentals import CloseReason
from sms_rent_mock.mock_server.domain.snapshot import Stage, export_state, import_state
from sms_rent_mock.mock_server.domain.settings import Settings
from sms_rent_mock.mock_server.providers import MARKETS
from sms_rent_mock.mock_server.storage import Store


def without_pricing(data: dict) -> dict:  # type: ignore[type-arg]
    return {k: ({n: v for n, v in m.items() if n != "pricing"} if isinstance(m, dict) and "pricing" in m else m)
            for k, m in data.items()}


@pytest.fixture
def world() -> Iterator[World]:
    found = new_world(Store(":memory:"), clock_mode="frozen", start_time=1_700_000_000)
    yield found
    found.store.close()


def test_the_shipped_catalog_says_each_markets_pricing() -> None:
    catalog = Catalog(load_catalog())
    assert {name: catalog.pricing(name) for name in catalog.markets()} == {"onlinesim": PERIODS, "smspva": DAILY}
    assert {name: m.pricing for name, m in MARKETS.items()} == {"onlinesim": PERIODS, "smspva": DAILY}


def test_with_pricing_fills_only_what_a_market_does_not_say() -> None:
    old = without_pricing(load_catalog())
    filled = with_pricing(old, {"onlinesim": PERIODS, "smspva": DAILY, "absent": DAILY})
    assert filled["onlinesim"]["pricing"] == PERIODS and "absent" not in filled
    assert "pricing" not in old["onlinesim"]  # the input is left as it was
    assert with_pricing({"m": {"pricing": DAILY}}, {"m": PERIODS})["m"]["pricing"] == DAILY


def test_a_catalog_stored_without_pricing_still_prices_and_stocks(world: World) -> None:
    with world.store.unit_of_work() as tx:
        tx.meta.put_catalog(without_pricing(load_catalog()))
    catalog = world.catalog()
    assert catalog.offer("onlinesim", "RU").price(1) > 0 and catalog.resolve_country("onlinesim", 7) == "RU"
    assert catalog.offer("smspva", "RU", "opt29").price(7) > 0


def test_a_document_made_before_pricing_imports(world: World) -> None:
    document = export_state(world)
    document["catalog"] = without_pricing(document["catalog"])
    import_state(world, Settings(), document)
    assert world.catalog().pricing("onlinesim") == PERIODS


def test_a_stage_rents_and_closes_by_the_markets_policy(world: World) -> None:
    stage = Stage(world, "stage-key")
    stage.account(balance="100")
    guarded = stage.rent("onlinesim", "RU", 1)
    activated = stage.rent("smspva", "RU", 7, service="opt29")
    assert world.rental("stage-key", guarded, "onlinesim").guard_until is not None
    assert world.rental("stage-key", activated, "smspva").needs_activation
    stage.close(activated)
    assert world.rental("stage-key", activated, "smspva").close_reason == CloseReason.DELETED


def test_an_unknown_pricing_is_refused() -> None:
    from sms_rent_mock.mock_server.domain.catalog_edit import check_catalog

    data = json.loads(json.dumps(load_catalog()))
    data["smspva"]["pricing"] = "hourly"
    with pytest.raises(ValueError, match="smspva.pricing must be one of periods, daily"):
        check_catalog(data)
