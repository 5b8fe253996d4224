"""Deliberately broken SMSPVA mocks: the kit's SMSPVA state machine must fail on each one and name the
broken rule; on the unbroken mock it passes in both profiles.

Each mutant patches one behaviour of the in-process mock, then the kit runs against it (the
``contract-quick`` Hypothesis profile: derandomized, no shrinking, so a run is fast and repeatable).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sms_rent_mock.contract_tests import machines
from sms_rent_mock.contract_tests.machines.smspva_model import Delays, Order, Pricing, Stock, restore_quote
from sms_rent_mock.contract_tests.runner import run_check
from sms_rent_mock.contract_tests.session import Budget, Session
from sms_rent_mock.contract_tests.target import Target, in_process_mock
from sms_rent_mock.mock_server.domain import catalog as catalog_module
from sms_rent_mock.mock_server.domain import errors, guards, rentals, world
from sms_rent_mock.mock_server.providers import smspva_archive, smspva_orders, wire
from sms_rent_mock.mock_server.storage import inbox as inbox_rows
from sms_rent_mock.mock_server.storage import rentals as rental_rows

Patch = Callable[[pytest.MonkeyPatch], None]
DAY = 86_400


def wrap(mp: pytest.MonkeyPatch, owner: Any, name: str, around: Callable[..., Any]) -> None:
    original = getattr(owner, name)
    mp.setattr(owner, name, lambda *a, **k: around(original, *a, **k))


def discount_forgotten(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(catalog_module.Offer, "price", lambda self, days: (self.day_price * days).quantize(Decimal("0.01")))


def delete_always_refunds(mp: pytest.MonkeyPatch) -> None:
    def close(orig: Any, self: Any, apikey: str, rental_id: int, provider: str, *, reason: Any) -> Any:
        closed = orig(self, apikey, rental_id, provider, reason=reason)
        if reason is rentals.CloseReason.DELETED and closed.confirmed:  # refunded after an SMS too
            with self.unit_of_work() as (tx, now):
                world.accounts.refund_rental(tx, closed.apikey, closed.id, now=now, memo="refund: deleted")
        return closed
    wrap(mp, world.World, "close", close)


def sms_reaches_an_offline_number(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(rentals.Rental, "can_receive", lambda self, now: self.is_open and not self.gone)


def reading_keeps_hasnewsms(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(inbox_rows.Inbox, "mark_read", lambda self, rental_id, now: None)


def history_oldest_first(mp: pytest.MonkeyPatch) -> None:
    def oldest(orig: Any, rows: Any, apikey: str, provider: str, now: int, *, skip: int, take: int) -> Any:
        everything = orig(rows, apikey, provider, now, skip=0, take=10_000)[::-1]
        return everything[skip:skip + take]
    wrap(mp, rental_rows.Rentals, "archived_for", oldest)


def restore_quote_discounted(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(catalog_module.Offer, "full_price", lambda self, days: catalog_module.Offer.price(self, days))


def prolong_window_ignored(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, guards, "prolong_window",
         lambda orig, rental, now, settings: orig(rental, rental.expires_at - 60, settings))


def no_activation_queue(mp: pytest.MonkeyPatch) -> None:
    def line(orig: Any, self: rentals.Rental, now: int) -> Any:
        found = orig(self, now)
        return rentals.LineState.ONLINE if found is rentals.LineState.ACTIVATING else found
    wrap(mp, rentals.Rental, "line_state", line)


def other_sms_mixed_in(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(smspva_orders, "for_order", lambda message, labels: True)


def other_key_reads_sms(mp: pytest.MonkeyPatch) -> None:
    def owned(orig: Any, self: Any, apikey: str, rental_id: int, provider: str) -> Any:
        with self.store.unit_of_work() as tx:
            found = tx.rentals.get(rental_id, 0)
        return orig(self, found.apikey if found else apikey, rental_id, provider)
    wrap(mp, world.World, "rental", owned)


def released_number_not_back_in_stock(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, world.stock, "give_back",
         lambda orig, *a, delta=1, **k: None if delta == 1 else orig(*a, delta=delta, **k))


def history_hides_restore(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(smspva_archive, "restorable", lambda world, apikey, rental: False)


def lastonline_forgotten_when_queued_again(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, rentals.Rental, "last_online", lambda orig, self, now: 0 if self.online_from is not None
         and now < self.online_from else orig(self, now))


def until_in_milliseconds(mp: pytest.MonkeyPatch) -> None:
    def in_ms(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: v * 1000 if k == "until" and isinstance(v, int) else in_ms(v) for k, v in node.items()}
        return [in_ms(v) for v in node] if isinstance(node, list) else node
    wrap(mp, wire, "reply", lambda orig, provider, name, body:
         orig(provider, name, in_ms(body) if provider == "smspva" else body))


def history_ignores_skip(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, rental_rows.Rentals, "archived_for", lambda orig, rows, apikey, provider, now, *, skip, take:
         orig(rows, apikey, provider, now, skip=0, take=take))


def history_takes_twenty_by_default(mp: pytest.MonkeyPatch) -> None:
    def twenty(orig: Any, self: Any, apikey: str, provider: str, *, skip: int, take: int) -> Any:
        from sms_rent_mock.mock_server.exchange import current

        serving = current()
        wanted = take if serving is not None and (serving.params.get("take") or "").strip() else 20
        return orig(self, apikey, provider, skip=skip, take=wanted)
    wrap(mp, world.World, "history", twenty)


def prolong_refused_a_day_before_the_term(mp: pytest.MonkeyPatch) -> None:
    def check(orig: Any, action: Any, rental: Any, facts: Any) -> Any:
        if action is guards.Action.PROLONG and facts.days and rental is not None:
            orig(guards.Action.EXTEND, rental, facts)  # the checks that come before the window
            most = guards.prolong_window(rental, facts.now, facts.settings)[1]
            if facts.days >= most:
                raise errors.BeyondMaxTerm(f"at most {most - 1} more days")
        return orig(action, rental, facts)
    wrap(mp, guards, "check", check)


def lastonline_is_the_window_start(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, rentals.Rental, "last_online", lambda orig, self, now: self.online_from if self.needs_activation
         and self.online_from is not None and now >= self.online_from else orig(self, now))


def second_service_sms_filed_under_other(mp: pytest.MonkeyPatch) -> None:
    def first_only(orig: Any, self: Any, rental: Any, *a: Any, **k: Any) -> Any:
        later = {s.lower() for s in rental.services[1:]}
        return [dataclasses.replace(m, service="Other") if (m.service or "").lower() in later else m
                for m in orig(self, rental, *a, **k)]
    wrap(mp, world.World, "messages", first_only)


def activate_requeues_an_online_number(mp: pytest.MonkeyPatch) -> None:
    def requeue(orig: Any, self: Any, apikey: str, rental_id: int, provider: str) -> Any:
        found = self.rental(apikey, rental_id, provider)
        if found.line_state(self.now()) is rentals.LineState.ONLINE:
            with self.store.unit_of_work() as tx:
                tx.rentals.update(rental_id, online_from=None, online_until=None)
        return orig(self, apikey, rental_id, provider)
    wrap(mp, world.World, "activate", requeue)


def hasnewsms_stays_false(mp: pytest.MonkeyPatch) -> None:
    wrap(mp, smspva_orders, "order_row", lambda orig, *a, **k: {**orig(*a, **k), "hasnewsms": False})


MUTANTS: list[tuple[str, Patch, str | tuple[str, ...]]] = [
    ("`until` in milliseconds", until_in_milliseconds, "create:until"),
    ("history ignores skip", history_ignores_skip, "history:page"),
    ("the 30-day discount forgotten", discount_forgotten, "money:"),
    ("delete refunds after an SMS", delete_always_refunds, "money:"),
    ("an SMS reaches an offline number", sms_reaches_an_offline_number, "sms:received-only-while-online"),
    ("reading SMS keeps hasnewsms", reading_keeps_hasnewsms, "order:hasnewsms"),
    ("history oldest first", history_oldest_first, "history:"),
    ("restore quoted with the discount", restore_quote_discounted, ("restore:", "money:", "history:row")),
    ("prolong allowed outside the 7-day window", prolong_window_ignored, ("prolong:limits", "error-code:prolong")),
    ("no activation queue", no_activation_queue, ("order:state", "sms:received-only-while-online")),
    ("other senders' SMS in SmsList", other_sms_mixed_in, "sms:"),
    ("another key reads an order's SMS", other_key_reads_sms, "error-code:sms"),
    ("a released number is not back in stock", released_number_not_back_in_stock,
     ("stock:", "error-code:create", "history:row")),
    ("history hides restorable orders", history_hides_restore, "history:row"),
    ("lastonline forgotten when the number is queued again", lastonline_forgotten_when_queued_again,
     "order:lastonline"),
    ("history take defaults to 20", history_takes_twenty_by_default, "history:"),
    ("prolong refused a day before the 90-day term", prolong_refused_a_day_before_the_term,
     ("prolong_max:success", "prolong:success", "error-code:prolong")),
    ("lastonline is the online window's start", lastonline_is_the_window_start, "order:lastonline"),
    ("an SMS for the second service filed under OtherSms", second_service_sms_filed_under_other, "sms:"),
    ("activate on an online number queues it again", activate_requeues_an_online_number, "order:state"),
    ("hasnewsms stays false after an SMS", hasnewsms_stays_false, "order:hasnewsms"),
]


def run_kit(tmp_path: Path, *, profile: str = "live", examples: int = 60, steps: int = 40, seed: int = 0
            ) -> tuple[int, list[dict[str, str]]]:
    report = tmp_path / "report.json"
    code = run_check(target="mock", provider="smspva", profile=profile, examples=examples, steps=steps,
                     json_path=str(report), hypothesis_profile="contract-quick", seed=seed,
                     max_seconds=1800)
    return code, json.loads(report.read_text())["failures"] if report.exists() else []


@pytest.mark.parametrize(("name", "patch", "rule"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_check_fails_on_a_broken_smspva_mock_and_names_the_rule(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, patch: Patch, rule: str | tuple[str, ...]) -> None:
    patch(monkeypatch)
    code, failures = run_kit(tmp_path)
    if code == 0:  # the walk still varies with each process's hash seed: a second walk, never a third
        code, failures = run_kit(tmp_path, seed=1)
    assert code == 1, f"{name}: check passed a broken mock"
    rules = [f["rule"] for f in failures]
    assert any(r.startswith(rule) for r in rules), f"{name}: expected a {rule!r} failure, got {rules}"


@pytest.mark.parametrize("profile", ["live", "documented"])
def test_check_passes_the_unbroken_smspva_mock(tmp_path: Path, profile: str) -> None:
    assert run_kit(tmp_path, profile=profile, examples=25, steps=30) == (0, [])


# -- the model's arithmetic, without HTTP -------------------------------------------------------------

def order(**changes: Any) -> Order:
    fields: dict[str, Any] = dict(id=1, country="RU", dial="7", phone="9000000000", services=("opt6",),
                                  operator="MTS", created=0, until=7 * DAY, days=7, paid=Decimal("3.50"))
    fields.update(changes)
    return Order(**fields)


def test_model_prices_discount_from_thirty_days_and_restores_at_full_price() -> None:
    pricing = Pricing({("RU", "opt6"): Decimal("0.5"), ("RU", "opt2"): Decimal("0.6")}, 30, 10)
    assert pricing.rent("RU", ("opt6",), 7) == Decimal("3.50")
    assert pricing.rent("RU", ("opt6", "opt2"), 30) == Decimal("13.50") + Decimal("16.20")
    assert pricing.full("RU", ("opt6",), 32) == Decimal("16.00")


def test_model_prolong_limits_follow_the_window_and_the_term() -> None:
    d = Delays()
    assert order().prolong_limits(0, d) == (False, 83, 90 * DAY)
    assert order().prolong_limits(60, d) == (True, 83, 90 * DAY)
    assert order(until=90 * DAY).prolong_limits(85 * DAY, d) == (False, 0, 90 * DAY)
    assert order().prolong_refusal(60, d, 84) == "Prolongation would pass the 90-day maximum"
    assert order(gone=True).prolong_limits(60, d) == (False, 0, 7 * DAY)


def test_model_restore_quote_counts_whole_overdue_days_plus_the_prepaid_month() -> None:
    pricing, d = Pricing({("RU", "opt6"): Decimal("0.5")}), Delays()
    closed = order(closed_at=7 * DAY)
    assert restore_quote(closed, 7 * DAY + 1, d, pricing, set()) == ("", 1, Decimal("15.50"))
    assert restore_quote(closed, 9 * DAY + 1, d, pricing, set()) == ("", 3, Decimal("16.50"))
    assert restore_quote(order(closed_at=DAY), DAY, d, pricing, set())[0] == "DATEDIFFINVERT"
    assert restore_quote(closed, 8 * DAY, d, pricing, {"79000000000"})[0] == "NOAVAILDAYS"
    assert restore_quote(closed, 61 * DAY, d, pricing, set())[0] == "NOAVAILDAYS"
    assert restore_quote(order(), 8 * DAY, d, pricing, set())[0] == "DATEDIFFINVERT"  # open: not expired


def test_model_stock_takes_from_the_operator_with_most_numbers_for_every_service() -> None:
    stock = Stock({("RU", "opt6", "MTS"): 3, ("RU", "opt6", "Tele2"): 5, ("RU", "opt2", "MTS"): 9,
                   ("RU", "opt2", "Tele2"): 1})
    assert stock.pick("RU", ("opt6",), None) == ("Tele2", "")
    assert stock.pick("RU", ("opt6", "opt2"), None) == ("MTS", "")
    assert stock.pick("RU", ("opt6",), "Beeline") == (None, "Provider not found")
    stock.move("RU", ("opt6",), "MTS", -5)
    stock.move("RU", ("opt6",), "Tele2", -5)
    assert stock.pick("RU", ("opt6",), None) == (None, "No numbers available")


def test_lastonline_keeps_the_last_window_while_the_number_is_queued_again() -> None:
    """A bug the SMSPVA machine found: re-activating a number reset ``lastonline`` to 0 ("never online")."""
    from tests.control_helpers import mock

    m = mock()
    order_id = m.create_pva()["id"]
    m.pva("activate", id=order_id)
    m.control.advance(720 + 1200)
    went_offline = m.order(order_id)
    m.pva("activate", id=order_id)
    queued = m.order(order_id)
    assert (went_offline["state"], queued["state"]) == (0, 2)
    assert queued["lastonline"] == went_offline["lastonline"] > 0
    m.world.store.close()


# -- a target without a control API (as a real provider is) ------------------------------------------

PAID = {"create", "create_multi", "add_service_to_order", "prolong", "prolong_max", "restore_user"}
CHANGING = PAID | {"activate", "delete"}


def run_as_if_real(*, budget: str | None) -> tuple[Session, list[str]]:
    """The machine against our mock with its control API hidden: what would it call on a real account?"""
    with in_process_mock() as url:
        target = Target(url, api_key="someone-elses-real-key")
        session = Session(target, allow_spend=budget is not None, budget=Budget(Decimal(budget)) if budget else None)
        called: list[str] = []
        original = target.call

        def recording(provider: str, method: str, params: Any = None, **kwargs: Any) -> Any:
            reply = original(provider, method, params, **kwargs)
            if not (isinstance(reply.body, dict) and reply.body.get("status") == 0):
                called.append(method)
            return reply

        target.call = recording  # type: ignore[method-assign]
        machines.run("smspva", session, examples=10, steps=20)
    return session, called


def test_without_control_and_without_spending_nothing_is_bought_or_changed() -> None:
    session, called = run_as_if_real(budget=None)
    assert not CHANGING & set(called), sorted(CHANGING & set(called))
    assert {"smspva:clock-and-expiry", "smspva:isolation-between-keys", "smspva:balance-to-the-cent"} <= \
        session.not_run
    assert any(check.startswith("smspva:paid-operations") for check in session.not_run)


def test_without_control_spending_stays_within_the_budget() -> None:
    session, called = run_as_if_real(budget="20")
    assert session.budget is not None
    assert Decimal(0) < session.budget.spent <= Decimal(20)
    assert "create" in called or "create_multi" in called
