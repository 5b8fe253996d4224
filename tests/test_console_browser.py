"""The sandbox console's orders, driven in headless Chromium: renting, activating, SMS, prolonging,
extra services, OnlineSim rentals and the 30-second refresh.

Each test acts on the page, checks what the page shows, and then asks the API the same question: the
page may only show what the provider routes and the control API report.
"""

from __future__ import annotations

import re
from typing import Any

import requests

from sms_rent_mock.mock_server.control import MockControl

from .conftest import START
from .console_helpers import DAY, KEY, base_url, browser, expect_ready, mock, page, pva, rent_google_week

__all__ = ["base_url", "browser", "mock", "page"]  # fixtures, imported so this module gets its own browser


def test_rent_shows_the_quote_the_order_and_the_balance_the_api_reports(page: Any, base_url: str,
                                                                      mock: MockControl) -> None:
    from playwright.sync_api import expect

    page.select_option("#country", "RU")
    page.select_option("#service", "opt6")
    stock = next(s for s in pva(base_url, "getdata", country="RU")["data"]["services"] if s["service"] == "opt6")
    expect(page.locator("#available")).to_have_text(f"Available numbers: {stock['count']} pcs")
    page.select_option("#dtype", "month")
    expect(page.locator("#total-cost")).to_have_text("Total cost: 13.50 USD")  # 30 days: 10 % off
    page.select_option("#dtype", "week")
    rent_google_week(page)
    order = pva(base_url, "orders")["data"][0]
    row = page.locator("#orders tbody tr[data-order^=smspva]")
    expect(row.locator(".phone")).to_have_text(f"{order['ccode']}{order['pnumber']}")
    expect(row.locator(".service")).to_have_text("Fiverr")  # opt6
    expect(row.locator(".status")).to_have_text("Not active")
    expect(row.locator(".expires")).to_have_text(re.compile(r"11/21/2023"))  # until = START + 7 days, UTC
    account = mock.account(KEY)
    assert account["ledger"][0]["amount"] == -3.5
    expect(page.locator("#balance")).to_have_text(f"{account['balance']:.2f}")


def test_activate_then_a_test_sms_shows_its_code_highlighted(page: Any, base_url: str, mock: MockControl) -> None:
    from playwright.sync_api import expect

    rent_google_week(page)
    row = page.locator("#orders tbody tr[data-order^=smspva]")
    row.locator("button.activate").click()
    expect(row.locator(".status")).to_have_text("Activating")
    assert pva(base_url, "orders")["data"][0]["state"] == 2
    mock.advance(mock.settings()["settings"]["activation_delay"])
    page.click("#tab-orders")  # any action refreshes the table
    expect(row.locator(".status")).to_have_text("Online")
    row.locator("button.show-sms").click()
    page.fill("#sms-text", "Your Fiverr code is 482913")
    page.fill("#sms-sender", "FIVERR")  # opt6 is Fiverr
    page.click("#sms-form button[type=submit]")
    expect(page.locator("#sms-list mark.code")).to_have_text("482913")
    order_id = pva(base_url, "orders")["data"][0]["id"]
    assert [m["text"] for m in pva(base_url, "sms", id=order_id)["data"]["SmsList"]] == ["Your Fiverr code is 482913"]


def test_prolong_is_disabled_with_the_reason_until_fewer_than_seven_days_remain(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    rent_google_week(page)
    row = page.locator("#orders tbody tr[data-order^=smspva]")
    expect(row.locator("button.prolong")).to_be_disabled()
    expect(row.locator(".reason")).to_have_text(
        "You can prolong the number only if fewer than 7 days remain before the expiry date")
    order = pva(base_url, "orders")["data"][0]
    assert order["canprolong"] is False
    assert pva(base_url, "prolong", id=order["id"], dtype="week", dcount=1)["status"] == 0
    page.click("button[data-advance='86400']")
    expect(row.locator("button.prolong")).to_be_enabled()
    assert pva(base_url, "orders")["data"][0]["canprolong"] is True
    row.locator("button.prolong").click()
    expect(row.locator(".expires")).to_have_text(re.compile(r"11/28/2023"))
    assert pva(base_url, "orders")["data"][0]["until"] == order["until"] + 7 * DAY


def test_onlinesim_rental_is_confirmed_by_its_first_sms_and_closes(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    page.select_option("#provider", "onlinesim")
    page.select_option("#country", "7")
    page.select_option("#days", "7")
    expect(page.locator("#total-cost")).to_have_text("Total cost: 150.00 USD")
    page.click("#rent")
    row = page.locator("#orders tbody tr[data-order^=onlinesim]")
    expect(row.locator(".status")).to_have_text("Awaiting the first SMS")
    row.locator("button.show-sms").click()
    page.fill("#sms-text", "Code 5521")
    page.click("#sms-form button[type=submit]")
    expect(row.locator(".status")).to_have_text("Confirmed")
    expect(page.locator("#sms-list mark.code")).to_have_text("5521")
    state = requests.get(f"{base_url}/api/rent/getRentState.php", params={"apikey": KEY}, timeout=10).json()
    assert state["list"][0]["status"] == 1
    row.locator("select.extend-days").select_option("1")
    row.locator("button.extend").click()
    expect(page.locator("#ledger tbody tr").first).to_contain_text("-25.00")
    row.locator("button.port-reload").click()
    expect(row.locator("button.port-reload")).to_be_disabled()
    state = requests.get(f"{base_url}/api/rent/getRentState.php", params={"apikey": KEY}, timeout=10).json()
    assert state["list"][0]["rent"] == 8 and state["list"][0]["reload"] > 0
    row.locator("button.close").click()
    expect(page.locator("#orders tbody")).to_have_text("No orders")


def test_total_cost_is_zero_when_no_numbers_are_left(page: Any, mock: MockControl) -> None:
    from playwright.sync_api import expect

    page.select_option("#country", "RU")
    page.select_option("#service", "opt6")
    mock.set_stock("smspva", "RU", 0, service="opt6")
    page.click("#tab-orders")  # any action refreshes what the page shows
    expect(page.locator("#available")).to_have_text("Available numbers: 0 pcs")
    expect(page.locator("#total-cost")).to_have_text("Total cost: 0 USD")
    expect(page.locator("#rent")).to_be_disabled()


def test_an_additional_service_joins_the_order_at_the_quoted_total(page: Any, base_url: str,
                                                                   mock: MockControl) -> None:
    from playwright.sync_api import expect

    rent_google_week(page)
    page.locator("#orders tbody tr[data-order^=smspva] button.add-service").click()
    page.select_option("#add-service", "opt1")
    page.select_option("#add-days", "1")
    expect(page.locator("#add-total")).to_have_text("0.30")
    page.click("#add-service-form button[type=submit]")
    expect(page.locator("#ledger tbody tr").first).to_contain_text("-0.30")
    assert mock.account(KEY)["ledger"][0]["amount"] == -0.3
    expect(page.locator("#message")).to_be_hidden()


def test_the_table_refreshes_itself_every_thirty_seconds(browser: Any, base_url: str, mock: MockControl) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="en-US", timezone_id="UTC")
    page = context.new_page()
    page.clock.install()
    page.goto(f"{base_url}/?apikey={KEY}")
    expect_ready(page)
    pva(base_url, "create", country="RU", service="opt6", dtype="week", dcount=1)  # behind the page's back
    expect(page.locator("#orders tbody")).to_have_text("No orders")
    page.clock.run_for(30_000)
    expect(page.locator("#orders tbody tr[data-order^=smspva]")).to_have_count(1)
    context.close()


assert START == 1_700_000_000  # the expiry dates above are START + 7 and + 14 days, in UTC
