"""Deliberately broken mocks: ``check`` must fail on each one and name the broken rule.

Each mutant patches one behaviour of the in-process mock, then the kit runs against it (the
``contract-quick`` Hypothesis profile: derandomized, no shrinking, so a run is fast and repeatable).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import abort
from decimal import Decimal

from sms_rent_mock.contract_tests.runner import run_check
from sms_rent_mock.mock_server.domain import errors, guards, world
from sms_rent_mock.mock_server.domain import catalog as catalog_module
from sms_rent_mock.mock_server.domain import inbox, rentals
from sms_rent_mock.mock_server.domain.rentals import CloseReason
from sms_rent_mock.mock_server.providers import onlinesim, wire
from sms_rent_mock.mock_server.storage import inbox as inbox_rows
from sms_rent_mock.mock_server.storage import rentals as rental_rows

Patch = Callable[[pytest.MonkeyPatch], None]


def wrap(mp: pytest.MonkeyPatch, owner: Any, name: str, around: Callable[..., Any]) -> None:
    original = getattr(owner, name)
    mp.setattr(owner, name, lambda *a, **k: around(original, *a, **k))


def pagination_to_off_by_one(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(onlinesim, "paginate", lambda items, page=1: dataclasses.replace(
        inbox.paginate(items, page=page), last=inbox.paginate(items, page=page).last + 1))


def rent_not_charged(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, world.accounts, "charge", lambda orig, *a, **k: None if k.get("memo", "").startswith("rent") else orig(*a, **k))


def required_field_dropped(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, onlinesim, "render", lambda orig, *a, **k: [{f: v for f, v in i.items() if f != "day_extend"}
                                                         for i in orig(*a, **k)])


def wrong_code_for_low_balance(mp: pytest.MonkeyPatch) -> None:
    mp.setitem(onlinesim.ERROR_CODES, errors.InsufficientBalance, "NO_NUMBER")


def tenant_touches_another_keys_rental(mp: pytest.MonkeyPatch) -> None:
    def check(orig: Any, action: Any, rental: Any, facts: Any) -> Any:  # every key passes as the owner
        return orig(action, rental, facts if rental is None else dataclasses.replace(facts, apikey=rental.apikey))
    wrap(mp, guards, "check", check)


def guard_window_keeps_the_money(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, world.accounts, "refund_rental", lambda orig, *a, memo, **k:  # refunds nothing, and says so
         Decimal(0) if memo == f"refund: {CloseReason.UNCONFIRMED}" else orig(*a, memo=memo, **k))


def auto_renewal_is_free(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, world.accounts, "charge", lambda orig, *a, **k:
         None if k.get("memo", "").startswith("auto-renew") else orig(*a, **k))


def hours_within_the_day(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, onlinesim, "render", lambda orig, *a, **k: [{**i, "hours": i["hours"] % 24} for i in orig(*a, **k)])


def messages_oldest_first(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, inbox_rows.Inbox, "messages_of", lambda orig, *a, **k: {r: m[::-1] for r, m in orig(*a, **k).items()})


def response_as_a_string(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, wire, "reply", lambda orig, provider, name, body: orig(provider, name, {**body, "response": "1"})
         if name == "getBalance.response" else orig(provider, name, body))


def server_error_on_close(mp: pytest.MonkeyPatch) -> None:
    mp.setitem(onlinesim.METHODS, "closeRentNum", lambda w, v: abort(500))


def extension_charged_for_one_day(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, catalog_module.Offer, "extension_price", lambda orig, self, days: orig(self, 1) if days in (7, 15) else
         orig(self, days))


def stock_never_runs_out(mp: pytest.MonkeyPatch) -> None:
    def take(orig: Any, db: Any, provider: str, country: str, services: Any, period: int, operator: Any) -> str:
        try:
            return str(orig(db, provider, country, services, period, operator))
        except errors.OutOfStock:
            return ""
    wrap(mp, world.stock, "take", take)


def frozen_balance_ignored(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(world.View, "frozen_balance", lambda self, *a: Decimal(0))


def frozen_balance_of_every_key(mp: pytest.MonkeyPatch) -> None:
    def everyone(self: world.View, provider: str) -> Decimal:
        keys = [row["apikey"] for row in self.tx.snapshot.rows("accounts")]
        return sum((r.paid for key in keys for r in self.tx.rentals.open_for(key, provider, self.now)
                    if r.guarding(self.now)), Decimal(0))
    mp.setattr(world.View, "frozen_balance", everyone)


def first_sms_does_not_confirm(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(rentals.Rental, "confirmed", property(lambda self: False))


def closed_rentals_still_listed(mp: pytest.MonkeyPatch) -> None:
    def listed(orig: Any, self: Any, apikey: str, provider: str, now: int) -> Any:
        return [r for r in self.of_key(apikey, now) if r.provider == provider]  # closed ones too
    wrap(mp, rental_rows.Rentals, "open_for", listed)


def _messages(item: dict[str, Any]) -> list[dict[str, Any]]:
    found = item["messages"]
    return found["data"] if isinstance(found, dict) else found


def _each_message(change: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[..., Any]:
    def around(orig: Any, *a: Any, **k: Any) -> Any:
        items = orig(*a, **k)
        for item in items:
            changed = [change(m) for m in _messages(item)]
            if isinstance(item["messages"], dict):
                item["messages"]["data"] = changed
            else:
                item["messages"] = changed
        return items
    return around


def sms_text_cut_short(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, onlinesim, "render", _each_message(lambda m: {**m, "text": m["text"][:12]}))


def checked_time_from_the_latest_sms(mp: pytest.MonkeyPatch) -> None:
    def latest(orig: Any, *a: Any, **k: Any) -> Any:
        items = orig(*a, **k)
        for item in items:
            if _messages(item):
                item["checked_time"] = _messages(item)[0]["created_at"]
        return items
    wrap(mp, onlinesim, "render", latest)


def tariff_counts_never_go_down(mp: pytest.MonkeyPatch) -> None:
    def as_stocked(orig: Any, self: Any, provider: str, country: Any = None) -> Any:
        rows = orig(self, provider, country)
        return [dataclasses.replace(r, count=max(r.count, 25)) for r in rows] if provider == "onlinesim" else rows
    wrap(mp, world.World, "stock", as_stocked)
    wrap(mp, world.View, "stock", as_stocked)  # tariffsRent reads the request's view


def last_page_one_more_on_an_exact_multiple(mp: pytest.MonkeyPatch) -> None:
    def page(items: Any, page: int = 1) -> Any:
        found = inbox.paginate(items, page=page)
        return dataclasses.replace(found, last_page=len(items) // found.per_page + 1)
    mp.setattr(onlinesim, "paginate", page)


def a_page_beyond_the_last_repeats_the_last(mp: pytest.MonkeyPatch) -> None:
    def page(items: Any, page: int = 1) -> Any:
        last = inbox.paginate(items, page=1).last_page
        return inbox.paginate(items, page=min(page, last))
    mp.setattr(onlinesim, "paginate", page)


def thirty_day_extension_mispriced(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, world.accounts, "charge", lambda orig, db, key, price, **k: orig(
        db, key, price * 2 if k.get("memo") == "extend 30 days" else price, **k))


def port_reload_answers_more(mp: pytest.MonkeyPatch) -> None:
    def reload(w: Any, values: dict[str, str]) -> Any:
        w.reload_port(values["apikey"], int(values["tzid"]), "onlinesim")
        return wire.reply("onlinesim", "closeRentNum.response", {"response": 1, "tzid": int(values["tzid"])})
    mp.setitem(onlinesim.METHODS, "portReload", reload)


def port_reload_keeps_no_cooldown(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(world.World, "reload_port", lambda self, apikey, rental_id, provider: self.rental(
        apikey, rental_id, provider))


def another_key_reads_the_first_keys_balance(mp: pytest.MonkeyPatch) -> None:
    def first(orig: Any, found: Any, values: dict[str, str]) -> Any:
        with found.store.unit_of_work() as tx:
            rows = tx.snapshot.rows("accounts")  # in the order they were made
        first_key = rows[0]["apikey"] if rows else None
        return orig(found, {**values, "apikey": first_key} if first_key and values.get("apikey") else values)
    original = onlinesim.METHODS["getBalance"]
    mp.setitem(onlinesim.METHODS, "getBalance", lambda found, values: first(original, found, values))


def replies_as_text_html(mp: pytest.MonkeyPatch) -> None:
    def html(orig: Any, provider: str, name: str, body: Any) -> Any:
        return dataclasses.replace(orig(provider, name, body), content_type="text/html; charset=utf-8")
    wrap(mp, wire, "reply", html)


MUTANTS: list[tuple[str, Patch, str | tuple[str, ...]]] = [
    ("pagination `to` off by one", pagination_to_off_by_one, "pagination:arithmetic"),
    ("a rent charge not made", rent_not_charged, "money:"),
    ("a required item field dropped", required_field_dropped, "schema:onlinesim/"),
    ("wrong error code for low balance", wrong_code_for_low_balance, ("error-code:getRentNum",
                                                                       "error-code:extendRentState")),
    ("a tenant touches another key's rental", tenant_touches_another_keys_rental, "isolation:"),
    ("guard window keeps the money", guard_window_keeps_the_money, "money:"),
    ("auto-renewal is free", auto_renewal_is_free, "money:"),
    ("hours counted within the day", hours_within_the_day, "countdown:"),
    ("messages oldest first", messages_oldest_first, "messages:newest-first"),
    ("response as the string \"1\"", response_as_a_string, "envelope:response-integer"),
    ("HTTP 500 on close", server_error_on_close, "http-status"),
    ("7- and 15-day extensions charged for one day", extension_charged_for_one_day, "money:extend-prices"),
    ("stock never runs out", stock_never_runs_out, "error-code:getRentNum"),
    ("frozen balance ignores held money", frozen_balance_ignored, "money:frozen-balance"),
    ("frozen balance counts every key's rentals", frozen_balance_of_every_key, ("money:frozen", "isolation:")),
    ("first SMS does not confirm", first_sms_does_not_confirm, "item:"),
    ("closed rentals still listed", closed_rentals_still_listed, "state:"),
    ("SMS text cut short in the listing", sms_text_cut_short, "messages:"),
    ("checked_time from the latest SMS", checked_time_from_the_latest_sms, "item:checked-time"),
    ("tariffsRent count never goes down", tariff_counts_never_go_down, "stock:"),
    ("last_page one more on an exact multiple", last_page_one_more_on_an_exact_multiple, "pagination:"),
    ("a page beyond the last repeats the last", a_page_beyond_the_last_repeats_the_last, "pagination:"),
    ("a 30-day extension mispriced", thirty_day_extension_mispriced, "money:"),
    ("portReload answers with more than response", port_reload_answers_more, "schema:onlinesim/portReload"),
    ("portReload starts no cooldown", port_reload_keeps_no_cooldown, "reload:"),
    ("another key reads the first key's balance", another_key_reads_the_first_keys_balance, ("isolation:", "money:")),
    ("replies sent as text/html", replies_as_text_html, "content-type:json"),
]


def run_kit(tmp_path: Path, provider: str, examples: int = 60, seed: int = 0) -> tuple[int, list[dict[str, str]]]:
    report = tmp_path / "report.json"
    code = run_check(target="mock", provider=provider, examples=examples, steps=40, json_path=str(report), seed=seed,
                     hypothesis_profile="contract-quick", max_seconds=1800)  # never the deadline on a busy machine
    return code, json.loads(report.read_text())["failures"] if report.exists() else []


@pytest.mark.parametrize(("name", "patch", "rule"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_check_fails_on_a_broken_onlinesim_mock_and_names_the_rule(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, patch: Patch, rule: str | tuple[str, ...]) -> None:
    patch(monkeypatch)
    code, failures = run_kit(tmp_path, "onlinesim")
    if code == 0:  # the walk still varies with each process's hash seed: a second walk, never a third
        code, failures = run_kit(tmp_path, "onlinesim", seed=1)
    assert code == 1, f"{name}: check passed a broken mock"
    rules = [f["rule"] for f in failures]
    assert any(r.startswith(rule) for r in rules), f"{name}: expected a {rule!r} failure, got {rules}"


def test_check_passes_the_unbroken_mock(tmp_path: Path) -> None:
    """Half the mutants' examples: a run that finds nothing walks all of them (the suite's longest test)."""
    code, failures = run_kit(tmp_path, "onlinesim", examples=30)
    assert (code, failures) == (0, [])
