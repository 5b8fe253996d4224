"""Domain pieces on their own: clock, catalog prices, pagination, code extraction, settings."""

from __future__ import annotations

import ast
import pathlib
from decimal import Decimal

import pytest

from sms_rent_mock.fixtures import SmsFaker, load_catalog
from sms_rent_mock.mock_server.domain import Catalog, errors, paginate
from sms_rent_mock.mock_server.domain import clock as clk
from sms_rent_mock.mock_server.domain.inbox import extract_code
from sms_rent_mock.mock_server.domain.settings import Settings


def test_frozen_clock_stands_still_and_advances_on_demand() -> None:
    state = clk.initial("frozen", start=1000)
    assert state.now(real_now=5_000_000) == 1000
    later = clk.advanced(state, 3600)
    assert later.now() == 4600


def test_scaled_clock_runs_faster() -> None:
    state = clk.ClockState("scaled", anchor_sim=1000, anchor_real=10, scale=60)
    assert state.now(real_now=12) == 1120


def test_clock_never_goes_backwards() -> None:
    state = clk.initial("frozen", start=1000)
    with pytest.raises(ValueError):
        clk.advanced(state, -1)
    with pytest.raises(ValueError):
        clk.set_to(state, 999)
    with pytest.raises(ValueError, match="real, scaled, frozen"):
        clk.initial("sideways")


def test_switching_mode_keeps_the_current_instant() -> None:
    state = clk.initial("frozen", start=1000)
    assert clk.switched(state, "real").now() in (1000, 1001)


def test_period_priced_market_accepts_only_its_periods() -> None:
    offer = Catalog(load_catalog()).offer("onlinesim", "RU")
    assert offer.price(7) == Decimal(150)
    with pytest.raises(errors.InvalidPeriod):
        offer.price(2)
    assert offer.extension_prices() == {1: 25, 7: 175, 15: 375, 30: 750}


def test_day_priced_market_discounts_long_rentals() -> None:
    offer = Catalog(load_catalog()).offer("smspva", "RU", "opt29")
    assert offer.price(7) == Decimal("4.90")
    assert offer.price(30) == (Decimal("0.7") * 30 * Decimal("0.9")).quantize(Decimal("0.01"))
    assert offer.full_price(30) == Decimal("21.00")


def test_catalog_refuses_unknown_country_and_service() -> None:
    catalog = Catalog(load_catalog())
    with pytest.raises(errors.UnknownCountry):
        catalog.offer("onlinesim", "ZZ")
    with pytest.raises(errors.UnknownService):
        catalog.offer("smspva", "RU", "opt99999")


@pytest.mark.parametrize(("total", "page", "first", "last", "pages"),
                         [(0, 1, 1, 0, 1), (1, 1, 1, 1, 1), (20, 1, 1, 20, 1), (21, 1, 1, 20, 2), (21, 2, 21, 21, 2),
                          (1000, 50, 981, 1000, 50), (5, 3, 41, 40, 1)])
def test_pagination_arithmetic(total: int, page: int, first: int, last: int, pages: int) -> None:
    result = paginate(list(range(total)), page=page)
    assert (result.first, result.last, result.last_page, result.total) == (first, last, pages, total)
    assert len(result.data) == max(0, last - first + 1)


@pytest.mark.parametrize(("text", "code"), [("Code Instagram: 671 094.", "671094"), ("Your code: 48213", "48213"),
                                            ("G-123456 is your code", "123456"), ("hello", ""), ("call 12", "")])
def test_code_extraction(text: str, code: str) -> None:
    assert extract_code(text) == code


def test_fakes_are_deterministic_per_seed_and_key() -> None:
    assert SmsFaker(1).national_number("9#########", 5) == SmsFaker(1).national_number("9#########", 5)
    assert SmsFaker(1).national_number("9#########", 5) != SmsFaker(2).national_number("9#########", 5)
    text, code = SmsFaker(3).code_sms("Telegram", 1)
    assert "Telegram" in text and code in text


def test_a_number_follows_its_pattern_whatever_its_length() -> None:
    faker = SmsFaker(4)
    numbers = [faker.national_number("9%-##", i) for i in range(300)]
    assert all(len(n) == 5 and n[0] == "9" and n[1] != "0" and n[2] == "-" and n[3:].isdigit() for n in numbers)
    assert {n[1] for n in numbers} == set("123456789") and {n[4] for n in numbers} == set("0123456789")
    assert len(set(numbers)) > 250  # 810 possible: drawn, not repeated
    long = faker.national_number("#" * 200, 1)
    assert len(long) == 200 and long.isdigit() and long[150:] != "0" * 50  # past the first hash too


def test_settings_from_config_keys_and_their_validation() -> None:
    settings = Settings.from_mapping({"GUARD_SECONDS": "60", "START_BALANCE": 5, "STRICT_KEYS": "true", "OTHER": 1})
    assert (settings.guard_seconds, settings.start_balance, settings.strict_keys) == (60, Decimal(5), True)
    with pytest.raises(ValueError, match="guard_seconds"):
        Settings.from_mapping({"guard_seconds": "soon"})
    with pytest.raises(ValueError, match="negative"):
        Settings.from_mapping({"max_concurrent": -1})


def test_domain_imports_neither_flask_nor_providers() -> None:
    root = pathlib.Path(__file__).parent.parent / "mock_server" / "domain"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert not name.startswith(("flask", "werkzeug", "sms_rent_mock.mock_server.providers")), f"{path.name}: {name}"
                assert not (isinstance(node, ast.ImportFrom) and node.level == 2 and (name or "").startswith("providers"))
