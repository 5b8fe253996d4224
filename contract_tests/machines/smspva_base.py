"""The SMSPVA state machine's footing: its set-up (a fresh mock, or a real account left as it is), what it
reads before it starts (prices, names, stock, delays), and the helpers every rule shares.

The rules live in ``smspva_paid`` (paid and state-changing calls) and ``smspva`` (reads, the control
API, isolation, hostile input); the arithmetic lives in ``smspva_model``.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from hypothesis.stateful import Bundle, RuleBasedStateMachine

from ..checks import conform, expect, expect_error, expect_success, is_error
from ..session import Session
from ..target import Reply
from .smspva_model import Delays, Order, Pricing, Sms, Stock, restore_quote

P = "smspva"
KEY = "contract-pva-key-a"
START_BALANCE, LIMIT = Decimal("3000"), 4
UNKNOWN_ID = 999_999_999
# (country, services the machine rents); add_service also tries services a country does not offer
MARKETS = (("RU", ("opt6", "opt2", "opt142")), ("UK", ("opt6", "opt2")), ("CA", ("opt83",)))
EXTRA_SERVICES = ("opt6", "opt2", "opt142", "opt1")
CONTROL_CHECKS = ("smspva:clock-and-expiry", "smspva:sms-delivery", "smspva:stock-emptied", "smspva:low-balance",
                  "smspva:fault-injection", "smspva:isolation-between-keys", "smspva:balance-to-the-cent",
                  "smspva:restore-quotes")


ORDERS: Bundle[int] = Bundle("orders")
_FACTS: dict[tuple[str, int, str], Any] = {}


class SmsPvaBase(RuleBasedStateMachine):
    """Model state and helpers; no rules (Hypothesis collects those from the subclasses)."""

    orders = ORDERS

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.s, self.t, self.c = session, session.target, session.control
        self.live = session.profile == "live"
        self.t.begin()
        self.balance: Decimal | None = None
        self.limit: int | None = None
        self.delays = Delays()
        self.dials: dict[str, str] = {}              # country -> dialling code (from the control API)
        self.senders: dict[str, str] = {}            # service -> the sender its SMS come from
        self.operators: dict[str, list[str]] = {}    # country -> operators, in catalog order (branchId)
        self.now = 0
        self.pricing, self.stock = Pricing(), Stock()
        self.names: dict[str, str] = {}
        self.min_days: dict[tuple[str, str], int] = {}
        if self.c:
            self.t.api_key = KEY
            session.fresh_mock()
            self.now = int(self.c.set_clock_mode("frozen")["now"])
            self.c.put_account(KEY, balance=float(START_BALANCE), max_concurrent=LIMIT)
            self.balance, self.limit = START_BALANCE, LIMIT
        else:
            for check in CONTROL_CHECKS:
                session.skip(check)
            if not session.can_spend:
                session.skip("smspva:paid-operations (no --contract-allow-spend with a budget)")
        self.markets = self._read_facts()
        self.orders_by_id: dict[int, Order] = {}
        self.sms_seq = 0
        # what a step may have changed on the service; the invariants then check it once and clear it
        self.touched: set[str] = set()

    # -- what the machine reads before it starts ------------------------------------------------

    def _read_facts(self) -> list[tuple[str, tuple[str, ...]]]:
        """The catalog and timings, read once per run where a reset restores them exactly (our mock, same
        seed), else for every example (a real provider's prices and stock move on their own)."""
        key = (self.t.base_url, self.s.seed, self.s.profile)
        if self.c is None or key not in _FACTS:
            if self.c:
                self._read_control_facts()
            markets = self._read_catalog()
            if self.c is None:
                return markets
            _FACTS.clear()  # one run at a time: keep only the latest target's facts
            _FACTS[key] = copy.deepcopy((markets, self.delays, self.dials, self.senders, self.operators,
                                         self.pricing, self.stock, self.names, self.min_days))
        (markets, self.delays, self.dials, self.senders, self.operators, self.pricing, self.stock, self.names,
         self.min_days) = copy.deepcopy(_FACTS[key])
        return markets

    def _read_control_facts(self) -> None:
        assert self.c is not None
        found = self.c.settings()["settings"]
        self.delays = Delays(found["activation_delay"], found["online_window"], found["prolong_window_days"],
                             found["max_term_days"], found["restore_prepaid_days"])
        catalog = self.c.catalog()
        self.dials = {iso: c["dial"] for iso, c in catalog["countries"].items()}
        self.operators = {iso: list(c.get("operators", ())) for iso, c in catalog["countries"].items()}
        self.senders = {code: s.get("sender", "") for code, s in catalog[P]["services"].items()}

    def _read_catalog(self) -> list[tuple[str, tuple[str, ...]]]:
        """Prices, names and per-operator stock of the countries used, as the public methods publish them."""
        listed = self._data("getcountries", {}, "catalog:getcountries")
        codes = {row["code"] for row in listed}
        defaults = self._data("get_default_services", {}, "catalog:get_default_services")
        if defaults:
            self.pricing.discount_days = int(defaults[0]["DAYP"])
            self.pricing.discount_percent = int(defaults[0]["PROC"])
        markets = [(c, s) for c, s in MARKETS if c in codes]
        for country, wanted in markets:
            data = self._data("getdataWithProviders", {"country": country}, "catalog:getdataWithProviders")
            for row in data["services"]:
                self.pricing.day[(country, row["service"])] = Decimal(str(row["price_day"]))
                self.names[row["service"]] = row["name"]
                for operator, count in row["count"].items():
                    self.stock.free[(country, row["service"], operator)] = count
            for service in wanted:
                got = self.t.call(P, "get_min_paypal_days", {"country": country, "service": service})
                body = conform(self.t, got, profile=self.s.profile)
                self.min_days[(country, service)] = body["data"]["Days"] if body.get("status") == 1 else 1
        return [(c, tuple(s for s in wanted if (c, s) in self.pricing.day)) for c, wanted in markets]

    # -- helpers shared by the rules --------------------------------------------------------------------------------

    def _success(self, reply: Reply, rule_name: str) -> Any:
        """The ``data`` of a reply that must conform and succeed."""
        return expect_success(self.t, reply, rule_name, profile=self.s.profile).get("data")

    def _data(self, method: str, params: dict[str, Any], rule_name: str) -> Any:
        return self._success(self.t.call(P, method, params), rule_name)

    def _refused(self, reply: Reply, msg: str) -> None:
        expect_error(self.t, reply, msg, profile=self.s.profile)

    def _was_refused(self, reply: Reply, refusal: str) -> bool:
        """Check a predicted refusal; on a real provider (whose texts and limits the model does not know)
        any conforming refusal counts as one. True when the call was refused, so nothing changed."""
        if refusal:
            self._refused(reply, refusal)
            return True
        if self.c is None and is_error(reply):
            conform(self.t, reply, profile=self.s.profile)
            return True
        return False

    def _affordable(self, price: Decimal) -> bool:
        """The model balance covers it; on a real account, the budget does (checked before the call)."""
        if self.c is None:
            return self.s.budget is not None and self.s.budget.allows(price)
        return True

    def _pay(self, order: Order | None, price: Decimal) -> None:
        self.touched.add("money")
        if self.balance is not None:
            self.balance -= price
        if order is not None:
            order.paid += price
        if self.c is None and self.s.budget is not None:
            self.s.budget.spend(price)

    def _open(self) -> list[Order]:
        return [o for o in self.orders_by_id.values() if o.open]

    def _settle(self) -> None:
        """Orders whose paid time ran out leave ``orders`` for the archive, dated at their expiry."""
        for order in self._open():
            if order.until <= self.now:
                order.closed_at = order.until
                self.touched.add("archive")
                self.stock.move(order.country, order.services, order.operator, +1)

    def _sms_items(self, messages: list[Sms]) -> list[tuple[str, str, int]]:
        return [(m.text, m.sender, m.at) for m in messages]

    def _check_row(self, reply: Reply, row: dict[str, Any], o: Order) -> None:
        t, now = self.t, self.now
        expect(t, reply, "order:identity", (o.id, ",".join(o.services), o.phone, o.country),
               (row["id"], row["scode"], row["pnumber"], row["cname"]))
        expect(t, reply, "order:sname", ", ".join(self.names.get(s, s) for s in o.services), row["sname"])
        if not self.c:
            return
        expect(t, reply, "order:ccode", f"+{o.dial}", row["ccode"])
        expect(t, reply, "order:state", o.state(now), row["state"])
        expect(t, reply, "order:lastonline", o.last_online(now), row["lastonline"])
        expect(t, reply, "order:hasnewsms", o.unread, row["hasnewsms"])
        expect(t, reply, "order:until", o.until, row["until"])
        expect(t, reply, "prolong:limits", o.prolong_limits(now, self.delays),
               (row["canprolong"], row["canprolongmax"], row["canprolonguntil"]))

    def _check_listed(self, o: Order) -> None:
        """The order's row in ``orders``, right after a step changed it."""
        listed = self.t.call(P, "orders")
        rows = [r for r in self._success(listed, "orders:success") if r["id"] == o.id]
        expect(self.t, listed, "orders:listed-while-open", 1 if o.open else 0, len(rows))
        for row in rows:
            self._check_row(listed, row, o)

    def _steer(self, order_id: int, prefer: bool, situation: str) -> int:
        """With ``prefer``, an order in ``situation`` instead of the drawn one; where the control API exists
        and none is, the drawn order is put into it. So the paths worth checking (SMS while online,
        prolonging inside the window, restoring) are reached often, and without ``prefer`` the drawn
        order goes as it is, which covers the refusals."""
        if not prefer:
            return order_id
        found = [o.id for o in self.orders_by_id.values() if self._in_situation(o, situation)]
        if found:
            return found[order_id % len(found)]
        movable = [o for o in self.orders_by_id.values() if not o.gone and (o.open or situation == "restorable")]
        if situation == "multi-service online":
            movable = [o for o in movable if o.open and len(o.services) > 1] or movable
        if self.c and movable:
            chosen = self.orders_by_id[order_id] if self.orders_by_id[order_id] in movable else movable[-1]
            self._arrange(chosen, situation)
            return chosen.id
        return order_id

    def _in_situation(self, o: Order, situation: str) -> bool:
        if situation == "online":
            return o.open and o.state(self.now) == 1
        if situation == "prolong window":
            return o.open and o.prolong_limits(self.now, self.delays)[0]
        if situation == "used":
            return o.open and bool(o.sms)
        if situation == "offline again":
            return o.open and o.state(self.now) == 0 and o.last_online(self.now) > 0
        if situation == "last hour":
            return o.open and not o.gone and 0 < o.until - self.now <= 3600
        if situation == "multi-service online":
            return o.open and o.state(self.now) == 1 and len(o.services) > 1
        held = {x.number for x in self._open()}
        return not restore_quote(o, self.now, self.delays, self.pricing, held)[0]

    def _arrange(self, o: Order, situation: str) -> None:
        """Put ``o`` into ``situation``; only the control API can (see ``ControlRules``)."""

    def _read_sms(self, o: Order) -> None:
        """``sms``: SmsList (the order's services) and OtherSms (anything else), or one list in the documented
        profile, newest first; reading clears ``hasnewsms``, which the order's row then shows."""
        reply = self.t.call(P, "sms", {"id": o.id})
        data = self._success(reply, "sms:success")
        if not self.c:
            return
        if self.live:
            expect(self.t, reply, "sms:SmsList", self._sms_items([m for m in o.sms if m.for_order]),
                   [(m["text"], m["sender"], m["date"]) for m in data["SmsList"]])
            expect(self.t, reply, "sms:OtherSms", self._sms_items([m for m in o.sms if not m.for_order]),
                   [(m["text"], m["sender"], m["date"]) for m in data["OtherSms"]])
        else:
            expect(self.t, reply, "sms:newest-first", self._sms_items(o.sms),
                   [(m["text"], m["sender"], m["date"]) for m in data])
        if o.unread and o.open:
            o.unread = False
            listed = self.t.call(P, "orders")
            rows = [r for r in self._success(listed, "orders:success") if r["id"] == o.id]
            expect(self.t, listed, "order:hasnewsms", [False], [r["hasnewsms"] for r in rows])
        o.unread = False
