"""Shared pieces of the console's browser tests: a live mock on a file store, one headless Chromium
(Debian's ``chromium`` through Playwright) per test module, a fresh page per test, and API helpers to
cross-check what the page shows. ``CONSOLE_SCREENSHOTS=1`` lets ``shoot`` write the README's screenshots."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sms_rent_mock.mock_server.control import MockControl

from .conftest import make_app
from .live import serving

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
KEY = "console-key"
DAY = 86_400
SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # A file store, as `serve` uses: the page sends requests in parallel, and a shared-cache
    # ":memory:" store answers a reader that meets another thread's write "database table is locked".
    app = make_app(AUTO_SMS=0, DB=str(tmp_path_factory.mktemp("console") / "mock.sqlite3"))
    with serving(app) as url:
        yield url
    app.extensions["rental_world"].store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"the console's browser tests need Debian's chromium at {CHROMIUM} "
                    "(apt-get install -y chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield found
        found.close()


@pytest.fixture
def mock(base_url: str) -> MockControl:
    control = MockControl(base_url)
    control.reset(apikey=KEY)
    return control


@pytest.fixture
def page(browser: Any, base_url: str, mock: MockControl) -> Iterator[Any]:
    context = browser.new_context(locale="en-US", timezone_id="UTC", viewport={"width": 1400, "height": 1000})
    found = context.new_page()
    found.set_default_timeout(10_000)
    found.goto(f"{base_url}/?apikey={KEY}")
    expect_ready(found)
    yield found
    context.close()


def expect_ready(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("body[data-refreshed]")).to_be_attached()
    expect(page.locator("#available")).not_to_be_empty()


def pva(base_url: str, method: str, **params: Any) -> Any:
    query = {"method": method, "apikey": KEY, **params}
    return requests.get(f"{base_url}/api/rent.php", params=query, timeout=10).json()


def rent_google_week(page: Any) -> None:
    from playwright.sync_api import expect

    page.select_option("#provider", "smspva")
    page.select_option("#country", "RU")
    page.select_option("#service", "opt6")
    expect(page.locator("#total-cost")).to_have_text("Total cost: 3.50 USD")
    page.click("#rent")
    expect(page.locator("#orders tbody tr[data-order^=smspva]")).to_have_count(1)


def shoot(page: Any, name: str) -> None:
    if os.environ.get("CONSOLE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / name), full_page=True)
