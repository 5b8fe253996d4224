"""The control API takes each provider's own country identifiers (issue 11 point 8): OnlineSim's calling
code as a number or text, SMSPVA's letters, and the internal letters as before; the client too."""

from __future__ import annotations

from typing import Any

import pytest

from sms_rent_mock.fixtures import load_catalog
from sms_rent_mock.mock_server.client import ControlError
from sms_rent_mock.mock_server.domain.catalog import Catalog
from sms_rent_mock.mock_server.domain.errors import UnknownCountry

from .control_helpers import Mock, m  # noqa: F401  (the fixture)


def _week_count(rows: list[dict[str, Any]]) -> int:
    return next(r["count"] for r in rows if r["period"] == 7)


@pytest.mark.parametrize("country", [7, "7", " 7 ", "RU", "ru"])
def test_onlinesim_stock_by_code_or_letters(m: Mock, country: Any) -> None:
    rows = m.control.set_stock("onlinesim", country, 0, period=7)
    assert [(r["country"], r["period"], r["count"]) for r in rows] == [("RU", 7, 0)]
    assert m.osim("getRentNum", country=7, days=7) == {"response": "NO_NUMBER"}
    assert _week_count(m.control.stock("onlinesim", country)) == 0
    assert m.control.stock("onlinesim", country) == m.control.stock("onlinesim", "RU")


def test_onlinesim_stock_by_code_over_plain_http(m: Mock) -> None:
    answer = m.client.put("/_mock/stock", json={"provider": "onlinesim", "country": 77, "period": 1, "count": 3})
    assert answer.status_code == 200, answer.get_json()
    assert {(r["country"], r["count"]) for r in answer.get_json()["stock"]} == {("KZ", 3)}
    listed = m.client.get("/_mock/stock", query_string={"provider": "onlinesim", "country": "77"}).get_json()
    assert {r["country"] for r in listed["stock"]} == {"KZ"} and _week_count(listed["stock"]) > 0


@pytest.mark.parametrize("country", ["RU", "ru"])
def test_smspva_stock_by_its_letters(m: Mock, country: str) -> None:
    m.control.set_stock("smspva", country, 0, service="opt6")
    assert m.msg("create", country="RU", service="opt6", dtype="week", dcount=1) == "No numbers available"


@pytest.mark.parametrize(("provider", "country"), [("onlinesim", 999), ("onlinesim", "999"), ("smspva", 7),
                                                   ("onlinesim", True), ("onlinesim", 0), ("onlinesim", 10_000),
                                                   ("onlinesim", "R"), ("onlinesim", "7x"), ("onlinesim", "٣")])
def test_unknown_or_malformed_codes_are_refused_and_change_nothing(m: Mock, provider: str, country: Any) -> None:
    before = m.control.stock(provider)
    answer = m.client.put("/_mock/stock", json={"provider": provider, "country": country, "count": 0})
    assert answer.status_code == 400 and answer.get_json()["field"] == "country", answer.get_json()
    assert m.control.stock(provider) == before
    with pytest.raises(ControlError):
        m.control.set_stock(provider, country, 0)


def test_stock_listing_refuses_an_unknown_code(m: Mock) -> None:
    answer = m.client.get("/_mock/stock", query_string={"provider": "onlinesim", "country": "999"})
    assert answer.status_code == 400 and answer.get_json()["field"] == "country"


@pytest.mark.parametrize("country", [77, "77", "KZ"])
def test_catalog_removal_takes_the_onlinesim_code_as_a_number_too(m: Mock, country: Any) -> None:
    m.control.patch_catalog("onlinesim", remove={"country": country})
    assert m.osim("getRentNum", country=77, days=7) == {"response": "UNDEFINED_COUNTRY"}
    assert "77" not in m.control.catalog()["onlinesim"]["countries"]


def test_resolver_maps_codes_to_letters_and_keeps_letters() -> None:
    catalog = Catalog(load_catalog())
    assert catalog.resolve_country("onlinesim", 380) == catalog.resolve_country("onlinesim", "380") == "UA"
    assert catalog.resolve_country("smspva", "uk") == "UK"
    with pytest.raises(UnknownCountry):
        catalog.resolve_country("smspva", "44")
    assert catalog.resolve_country("onlinesim", "٣") == "٣"  # no code: left for the catalog check to refuse
