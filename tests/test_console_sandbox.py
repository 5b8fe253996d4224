"""The sandbox console's archive, sandbox panel and languages, driven in headless Chromium: expiry
and restore, archive pages, fault rules, the clock, and Arabic right to left (with the README's
screenshots when ``CONSOLE_SCREENSHOTS=1``).

Each test acts on the page, checks what the page shows, and then asks the API the same question.
"""

from __future__ import annotations

import re
from typing import Any

from sms_rent_mock.mock_server.control import MockControl

from .console_helpers import DAY, KEY, base_url, browser, expect_ready, mock, page, pva, rent_google_week, shoot

__all__ = ["base_url", "browser", "mock", "page"]  # fixtures, imported so this module gets its own browser


def test_past_expiry_the_order_moves_to_the_archive_and_restores_after_the_quote(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    page.click("#tab-archive")
    expect(page.locator("#archive tbody")).to_have_text("No matching records found")
    page.click("#tab-orders")
    rent_google_week(page)
    order = pva(base_url, "orders")["data"][0]
    page.click("button[data-advance='604800']")
    page.click("button[data-advance='86400']")
    expect(page.locator("#orders tbody")).to_have_text("No orders")
    assert pva(base_url, "orders")["data"] == []
    page.click("#tab-archive")
    archived = page.locator(f"#archive tbody tr[data-order='{order['id']}']")
    expect(archived).to_contain_text(f"+7{order['pnumber']}")
    expect(page.locator("#page-no")).to_have_text("Page 1")
    archived.locator("button.restore").click()
    quote = pva(base_url, "restore_user_precalc", id=order["id"])["data"]
    expect(page.locator("#restore-quote")).to_have_text(
        f"Restore for {quote['price']:.2f} USD ({quote['outdays']} overdue days + 30 prepaid days)?")
    page.click("#restore-confirm")
    expect(page.locator("#archive tbody")).to_have_text("No matching records found")
    page.click("#tab-orders")
    expect(page.locator(f"#orders tbody tr[data-order='smspva-{order['id']}']")).to_have_count(1)
    assert [o["id"] for o in pva(base_url, "orders")["data"]] == [order["id"]]


def test_archive_pages_hold_ten_orders_each(page: Any, base_url: str, mock: MockControl) -> None:
    from playwright.sync_api import expect

    for _ in range(11):
        assert pva(base_url, "create", country="RU", service="opt1", dtype="week", dcount=1)["status"] == 1
    mock.advance(8 * DAY)
    page.click("#tab-archive")
    expect(page.locator("#archive tbody tr")).to_have_count(10)
    page.click("#next-page")
    expect(page.locator("#page-no")).to_have_text("Page 2")
    expect(page.locator("#archive tbody tr")).to_have_count(1)
    expect(page.locator("#next-page")).to_be_disabled()
    assert len(pva(base_url, "get_rent_history", skip=10, take=10)["data"]) == 1


def test_an_injected_fault_shows_its_error_and_lands_in_the_journal(page: Any, base_url: str,
                                                                  mock: MockControl) -> None:
    from playwright.sync_api import expect

    page.select_option("#fault-provider", "smspva")
    page.fill("#fault-method", "create")
    page.fill("#fault-error", "No numbers available")
    page.fill("#fault-times", "1")
    page.click("#fault-form button[type=submit]")
    expect(page.locator("#faults li[data-fault]")).to_have_count(1)
    assert len(mock.faults()) == 1
    page.select_option("#country", "RU")
    page.select_option("#service", "opt6")
    page.click("#rent")
    expect(page.locator("#message")).to_have_text("Error: No numbers available")
    failed = page.locator("#journal tbody tr.failed", has_text="create")
    expect(failed).to_contain_text("No numbers available")
    assert pva(base_url, "orders")["data"] == []
    expect(page.locator("#faults li[data-fault]")).to_have_count(0)  # times=1: the rule is spent
    assert mock.faults() == []


def test_an_error_stays_when_a_slower_load_started_before_it_succeeds(page: Any, mock: MockControl) -> None:
    from playwright.sync_api import expect

    # the services load that the country change starts (the page's own refreshes ask for RU)
    mock.add_fault("smspva", "getdata", match={"country": "KZ"}, delay_ms=1500, times=1)
    mock.add_fault("smspva", "create", error="No numbers available", times=1)
    page.select_option("#country", "KZ")
    page.click("#rent")  # fails at once, while the services load still waits
    expect(page.locator("#message")).to_have_text("Error: No numbers available")
    page.wait_for_timeout(2500)  # the slow load has answered by now, and succeeded
    assert all(rule["method"] != "getdata" for rule in mock.faults())
    expect(page.locator("#message")).to_have_text("Error: No numbers available")


def test_clock_freezes_and_resumes_and_a_fault_rule_can_be_removed(page: Any, mock: MockControl) -> None:
    from playwright.sync_api import expect

    page.click("#resume")
    expect(page.locator("#clock-mode")).to_have_text("real")
    assert mock.clock()["mode"] == "real"
    page.click("#freeze")
    expect(page.locator("#clock-mode")).to_have_text("frozen")
    assert mock.clock()["mode"] == "frozen"
    page.click("#fault-form button[type=submit]")
    expect(page.locator("#faults li[data-fault]")).to_have_count(1)
    page.click("#faults button.remove-fault")
    expect(page.locator("#faults li[data-fault]")).to_have_count(0)
    assert mock.faults() == []


def test_arabic_is_right_to_left_with_the_seed_wording(browser: Any, base_url: str, mock: MockControl) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="ar", timezone_id="UTC", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{base_url}/?apikey={KEY}")
    expect_ready(page)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("#orders thead")).to_have_text(re.compile("الحالة.*رقم الهاتف.*الخدمة.*ينتهي في"))
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    rent_like_a_user(page, mock)
    shoot(page, "console-ar.png")
    page.select_option("#lang", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("#tab-archive")).to_have_text("Archive")
    context.close()
    english = browser.new_context(locale="en-US", timezone_id="UTC", viewport={"width": 1400, "height": 1000})
    page = english.new_page()
    page.goto(f"{base_url}/?apikey={KEY}")
    expect_ready(page)
    page.locator("#orders tbody tr[data-order^=smspva] button.show-sms").click()
    expect(page.locator("#sms-list mark.code")).to_have_text("482913")
    shoot(page, "console-en.png")
    english.close()


def rent_like_a_user(page: Any, mock: MockControl) -> None:
    """Something worth a screenshot: an online order showing a code SMS."""
    from playwright.sync_api import expect

    page.select_option("#country", "RU")
    page.select_option("#service", "opt6")
    page.click("#rent")
    row = page.locator("#orders tbody tr[data-order^=smspva]")
    row.locator("button.activate").click()
    expect(row.locator(".status")).not_to_have_text("غير نشط")
    mock.advance(mock.settings()["settings"]["activation_delay"])
    row.locator("button.show-sms").click()
    page.fill("#sms-text", "Your Google code is 482913")
    page.click("#sms-form button[type=submit]")
    expect(page.locator("#sms-list mark.code")).to_have_text("482913")


