"""A stateful model of OnlineSim's rental API: balance, rentals, confirmation, countdowns, messages.

Each rule makes one call, predicts its answer from the model, and checks it (schema first, then the
prediction). Rules that need the mock's control API (clock, SMS) run only where the target has one.
"""

from __future__ import annotations

import calendar
import math
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, invariant, precondition, rule

from ..checks import Violation, conform, error_code, expect, expect_error, expect_success, is_error
from ..invalid import JUNK
from ..session import Session

P = "onlinesim"
DAY = 86_400
GUARD = 1200
RENEW = 30
PER_PAGE = 20
KEY = "contract-key-a"
OTHER_BALANCE = 500
STAMP = "%Y-%m-%d %H:%M:%S"


def _stamp(text: Any) -> int | None:
    """A "YYYY-MM-DD HH:MM:SS" time as seconds (read as UTC; only differences between stamps matter)."""
    try:
        return calendar.timegm(time.strptime(str(text), STAMP))
    except ValueError:
        return None


@dataclass
class Rental:
    tzid: int
    code: int
    number: str
    period: int
    rent: int
    paid: Decimal
    extend: dict[str, int]
    auto_renew: bool
    created: int
    expires: int
    confirmed_at: int | None = None
    codes: list[str] = field(default_factory=list)
    open: bool = True
    texts: list[tuple[str, str, int]] = field(default_factory=list)  # (text, service, at), newest first
    reload_at: int | None = None

    def guard_until(self) -> int:
        return self.created + GUARD


class OnlineSimMachine(RuleBasedStateMachine):
    rentals = Bundle("rentals")

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.s, self.t, self.c = session, session.target, session.control
        self.t.begin()
        self.t.api_key = KEY if self.c else self.t.api_key
        if self.c:
            session.fresh_mock()
            self.now = int(self.c.set_clock_mode("frozen")["now"])
            self.c.put_account(KEY, balance=3000, max_concurrent=4)
            self.c.put_account(session.other_key, balance=OTHER_BALANCE)
            self.cooldown = int(self.c.settings()["settings"].get("reload_cooldown", 600))
            self.limit: int | None = 4
        else:
            self.now, self.limit = 0, None
            for check in ("onlinesim: clock jumps, guard refunds, renewals and expiry (needs /_mock)",
                          "onlinesim: SMS delivery, confirmation and pagination contents (needs /_mock)",
                          "onlinesim: stock and balance scripting, exact countdowns (needs /_mock)"):
                session.skip(check)
            if not session.can_spend:
                session.skip("onlinesim: rent, extend and close (paid; use --allow-spend --budget X)")
        body = expect_success(self.t, self.t.call(P, "getBalance"), "balance-readable", profile=session.profile)
        self.balance = Decimal(str(body["balance"]))
        tariffs = expect_success(self.t, self.t.call(P, "tariffsRent"), "tariffs-readable", profile=session.profile)
        self.tariffs: dict[int, dict[str, Any]] = {int(k): v for k, v in tariffs.items()} if tariffs else {}
        self.stock = {(c, int(d)): n for c, t in self.tariffs.items() for d, n in t["count"].items()}
        self.open: dict[int, Rental] = {}
        self.other_checked_at: tuple[Decimal, Decimal] | None = None  # our (balance, held) at its last check
        self.sms_seq = 0
        self.zone: int | None = None  # the target's clock offset in its stamps, learnt from the first one

    # -- helpers --------------------------------------------------------------------------------

    def _price(self, code: int, days: int) -> Decimal:
        return Decimal(str(self.tariffs[code]["days"][str(days)]))

    def _extend_price(self, code: int, days: int) -> Decimal:
        return Decimal(str(self.tariffs[code]["extend"])) * days

    def _settle(self) -> None:
        """What the service does as time passes: each due event in the order it happens (guard refunds,
        renewals charged against one balance, expiries)."""
        def due(r: Rental) -> int:
            return min(r.guard_until(), r.expires) if r.confirmed_at is None else r.expires
        while (ready := [r for r in self.open.values() if due(r) <= self.now]):
            r = min(ready, key=lambda r: (due(r), r.tzid))
            price = self._extend_price(r.code, RENEW)
            if r.confirmed_at is None and r.guard_until() <= r.expires:
                self._end(r, refund=True)
            elif r.auto_renew and self.balance >= price:
                self.balance -= price
                r.paid += price
                r.expires += RENEW * DAY
                r.rent += RENEW
            else:
                self._end(r, refund=False)

    def _end(self, r: Rental, *, refund: bool) -> None:
        r.open = False
        if refund:
            self.balance += r.paid
        self.stock[(r.code, r.period)] = self.stock.get((r.code, r.period), 0) + 1
        del self.open[r.tzid]

    def _check_item(self, reply: Any, item: dict[str, Any], r: Rental) -> None:
        t = self.t
        messages = item["messages"]
        data = messages["data"] if isinstance(messages, dict) else messages
        if not self.c:  # the count of all its SMS: a page (even one past the last) may list none of them
            self._adopt_unknown_sms(r, int(messages["total"]) if isinstance(messages, dict) else len(data))
        expect(t, reply, "item:tzid", r.tzid, item["tzid"])
        expect(t, reply, "item:status", int(r.confirmed_at is not None), item["status"])
        expect(t, reply, "item:checked", r.confirmed_at is not None, item["checked"])
        expect(t, reply, "item:rent", r.rent, item["rent"])
        expect(t, reply, "money:sum", f"{r.paid:.2f}", item["sum"])
        expect(t, reply, "item:extension", int(r.auto_renew), item["extension"])
        day = Decimal(str(self.tariffs[r.code]["extend"]))
        expect(t, reply, "money:extend-prices", {k: int(day * int(k)) for k in r.extend}, item["extend"])
        if self.c:
            end = r.guard_until() if r.confirmed_at is None else r.expires
            left = max(0, end - self.now)
            expect(t, reply, "countdown:days-hours-time", (left // DAY, left // 3600, left // 60),
                   (item["days"], item["hours"], item["time"]))
        if not self.c:
            stamps = [_stamp(m.get("created_at")) or 0 for m in data]
            expect(t, reply, "messages:newest-first", sorted(stamps, reverse=True), stamps)
        page = int(messages["current_page"]) if isinstance(messages, dict) else 1
        shown = slice((page - 1) * PER_PAGE, page * PER_PAGE) if isinstance(messages, dict) else slice(0, None)
        if self.c:
            expect(t, reply, "messages:newest-first", r.codes[shown], [m["code"] for m in data])
            expect(t, reply, "messages:content", [(text, service) for text, service, _ in r.texts[shown]],
                   [(m["text"], m["service"]) for m in data])
            self._check_times(reply, item, r, data, r.texts[shown])
            expect(t, reply, "reload:minutes-left", self._reload_wait(r), item["reload"])
        if isinstance(messages, dict):
            # without control SMS arrive that the kit did not send: the page must agree with its own total
            total, listed = (len(r.codes), len(r.codes[shown])) if self.c else (int(messages["total"]), len(data))
            pages, first = max(1, math.ceil(total / PER_PAGE)), (page - 1) * PER_PAGE + 1
            expect(t, reply, "pagination:arithmetic",
                   (total, pages, PER_PAGE, first, first - 1 + listed),
                   (messages["total"], messages["last_page"], messages["per_page"], messages["from"],
                    messages["to"]))

    def _adopt_unknown_sms(self, r: Rental, count: int) -> None:
        """A real number receives SMS the kit did not send: what it lists is possible, and an SMS confirms."""
        if count and r.confirmed_at is None:
            r.confirmed_at = self.now

    def _reload_wait(self, r: Rental) -> int:
        return 0 if r.reload_at is None else max(0, math.ceil((r.reload_at + self.cooldown - self.now) / 60))

    def _check_times(self, reply: Any, item: dict[str, Any], r: Rental, data: list[dict[str, Any]],
                     expected: list[tuple[str, str, int]]) -> None:
        """Stamps: each message's ``created_at`` its arrival, ``checked_time`` the first SMS's (or the rent's)
        moment, all in the target's one zone (learnt from the first stamp seen)."""
        first = r.texts[-1][2] if r.texts else r.created
        moments = [(first, item.get("checked_time"), "item:checked-time")] + [
            (at, m.get("created_at"), "messages:created-at") for (_, _, at), m in zip(expected, data)]
        for at, text, rule_name in moments:
            seen = _stamp(text)
            if seen is None:
                raise Violation(rule_name, reply, f"a {STAMP} time", text, self.t)
            if self.zone is None:
                self.zone = seen - at
            expect(self.t, reply, rule_name, time.strftime(STAMP, time.gmtime(at + self.zone)), text)

    # -- rules ----------------------------------------------------------------------------------

    @initialize(target=rentals)
    def a_confirmed_auto_renewing_rental(self) -> Any:
        """Every run starts with one rental that has had its SMS and renews itself: any clock jump
        past a day then exercises renewal charges."""
        if self.c is None or not self.tariffs:
            return None
        return self.rent(pick=1, period=1, renew=True, sms_at_once=True)

    @precondition(lambda self: self.s.can_spend and bool(self.tariffs))
    @rule(target=rentals, pick=st.integers(0, 10**6), period=st.sampled_from([1, 3, 7, 2]), renew=st.booleans(),
          sms_at_once=st.booleans())
    def rent(self, pick: int, period: int, renew: bool, sms_at_once: bool) -> Any:
        code = sorted(self.tariffs)[pick % min(3, len(self.tariffs))]
        valid = str(period) in self.tariffs[code]["days"]
        price = self._price(code, period) if valid else Decimal(0)
        if self.s.budget is not None and not self.c and not self.s.budget.allows(price):
            return None
        reply = self.t.call(P, "getRentNum", {"country": code, "days": period, "extension": renew,
                                             "pagination": "false"})
        if not valid:
            expect_error(self.t, reply, "UNDEFINED_DAYS", profile=self.s.profile)
        elif self.limit is not None and len(self.open) >= self.limit:
            expect_error(self.t, reply, "EXCEEDED_CONCURRENT_OPERATIONS", profile=self.s.profile)
        elif self.c and self.stock.get((code, period), 0) <= 0:
            expect_error(self.t, reply, "NO_NUMBER", profile=self.s.profile)
        elif self.c and self.balance < price:
            expect_error(self.t, reply, "WARNING_LOW_BALANCE", profile=self.s.profile)
        else:
            item = expect_success(self.t, reply, "rent:success", profile=self.s.profile)["item"]
            r = Rental(item["tzid"], code, item["number"], period, period, price, item["extend"], renew, self.now,
                       self.now + period * DAY)
            self.balance -= price
            self.stock[(code, period)] = self.stock.get((code, period), 0) - 1
            if self.s.budget is not None:
                self.s.budget.spend(price)
            self.open[r.tzid] = r
            self._check_item(reply, item, r)
            if sms_at_once and self.c is not None:
                self._deliver(r, 1)
            return r.tzid
        return None

    @rule(tzid=rentals, paged=st.sampled_from([True, False, None]),
          page=st.sampled_from([None, 1, 2, "last", "beyond"]))
    def state_one(self, tzid: int | None, paged: bool | None, page: int | str | None) -> None:
        """One rental; paged answers any page of its messages (past the last: an empty page)."""
        if tzid is None:
            return
        r = self.open.get(tzid)
        last = max(1, math.ceil(len(r.codes) / PER_PAGE)) if r else 1
        number = last if page == "last" else last + 1 if page == "beyond" else page
        params: dict[str, Any] = {"tzid": tzid, "page": number if paged else None}
        if paged is not None:
            params["pagination"] = "true" if paged else "false"
        reply = self.t.call(P, "getRentState", params)
        body = expect_success(self.t, reply, "state:success", profile=self.s.profile)
        expect(self.t, reply, "state:listed-while-open", 1 if r else 0, len(body["list"]))
        if r:
            if self.c:
                expect(self.t, reply, "state:pagination-default-off", bool(paged),
                       isinstance(body["list"][0]["messages"], dict))
                if paged:
                    expect(self.t, reply, "pagination:current-page", number or 1,
                           body["list"][0]["messages"].get("current_page"))
            self._check_item(reply, body["list"][0], r)

    @invariant()
    def state_all(self) -> None:
        """After every step: the open rentals listed are exactly the model's."""
        reply = self.t.call(P, "getRentState", {"pagination": "false"})
        body = expect_success(self.t, reply, "state:success", profile=self.s.profile)
        if self.c:
            expect(self.t, reply, "state:open-rentals", sorted(self.open), sorted(i["tzid"] for i in body["list"]))

    @precondition(lambda self: self.s.can_spend)
    @rule(tzid=rentals, days=st.sampled_from([1, 7, 3, 15, 30]))
    def extend(self, tzid: int | None, days: int) -> None:
        if tzid is None:
            return
        r = self.open.get(tzid)
        price = self._extend_price(r.code, days) if r and str(days) in r.extend else Decimal(0)
        if self.s.budget is not None and not self.c and not self.s.budget.allows(price):
            return
        reply = self.t.call(P, "extendRentState", {"tzid": tzid, "days": days, "pagination": "false"})
        if r is None:
            expect_error(self.t, reply, "LIFICYCLE_NUM_EXPIRED", profile=self.s.profile)
        elif str(days) not in r.extend:
            expect_error(self.t, reply, "UNDEFINED_DAYS", profile=self.s.profile)
        elif self.balance < price:
            expect_error(self.t, reply, "WARNING_LOW_BALANCE", profile=self.s.profile)
        else:
            item = expect_success(self.t, reply, "extend:success", profile=self.s.profile)["item"]
            self.balance -= price
            r.paid += price
            r.rent += days
            r.expires += days * DAY
            if self.s.budget is not None:
                self.s.budget.spend(price)
            self._check_item(reply, item, r)

    @rule(tzid=consumes(rentals))
    def close(self, tzid: int | None) -> None:
        if tzid is None:
            return
        reply = self.t.call(P, "closeRentNum", {"tzid": tzid})
        r = self.open.get(tzid)
        if r is None:
            expect_error(self.t, reply, "NO_COMPLETE_TZID", profile=self.s.profile)
            return
        body = expect_success(self.t, reply, "close:success", profile=self.s.profile)
        if self.s.profile == "live":
            expect(self.t, reply, "close:echoes-tzid", tzid, body.get("tzid"))
        self._end(r, refund=r.confirmed_at is None)

    @precondition(lambda self: self.c is not None and bool(self.open))
    @rule(pick=st.integers(0, 10**6), count=st.sampled_from([1, 1, 2, 21, "to a page's end", "past a page's end"]))
    def receive_sms(self, pick: int, count: int | str) -> None:
        """SMS arrive on an open rental (picked among the model's: the bundle also holds refused and
        closed ones); "to a page's end" makes the total an exact multiple of the page size ("past": one more)."""
        self._deliver(sorted(self.open.values(), key=lambda r: r.tzid)[pick % len(self.open)], count)

    def _deliver(self, r: Rental, count: int | str) -> None:
        if self.c is None:
            return
        boundary, past = isinstance(count, str), isinstance(count, str) and count.startswith("past")
        if isinstance(count, str):
            count = PER_PAGE - len(r.codes) % PER_PAGE + (1 if past else 0)
        for n in range(count):
            if n == 1:
                self.advance_clock(7)  # the first SMS and the later ones are seconds apart
                if r.tzid not in self.open:
                    return
            self.sms_seq += 1
            code = str(10000 + self.sms_seq)
            text = f"Your code: {code}" + (" - enter it in the app to finish signing up" if n % 2 else "")
            service = "Kit" if n % 3 else "KitOther"
            result = self.c.deliver_sms(f"{r.code if r.code != 77 else 7}{r.number}", text,
                                        sender=service, service=service, code=code)
            if not result.get("delivered", False):
                raise AssertionError(f"[control:sms] an open OnlineSim rental refused an SMS: {result}")
            r.codes.insert(0, code)
            r.texts.insert(0, (text, service, self.now))
            if r.confirmed_at is None:
                r.confirmed_at = self.now
        # at a page boundary the last page (or, one past it, the page after the last) is read back paged:
        # page arithmetic is where off-by-ones live
        page = max(1, math.ceil(len(r.codes) / PER_PAGE)) + int(past)
        params = {"tzid": r.tzid, "pagination": "true", "page": page} if boundary else {"tzid": r.tzid,
                                                                                         "pagination": "false"}
        reply = self.t.call(P, "getRentState", params)
        listed = expect_success(self.t, reply, "state:success", profile=self.s.profile)["list"]
        expect(self.t, reply, "state:listed-while-open", 1, len(listed))
        if boundary:
            expect(self.t, reply, "pagination:current-page", page, listed[0]["messages"].get("current_page"))
        self._check_item(reply, listed[0], r)

    @precondition(lambda self: self.c is not None)
    @rule(seconds=st.sampled_from([60, GUARD - 1, GUARD, 3600, DAY, 3 * DAY, 8 * DAY, 31 * DAY]))
    def advance_clock(self, seconds: int) -> None:
        assert self.c is not None
        self.now = int(self.c.advance(seconds)["now"])
        self._settle()

    @precondition(lambda self: self.c is not None and bool(self.open))
    @rule(amount=st.sampled_from([0, 100]))
    def lower_balance(self, amount: int) -> None:
        assert self.c is not None
        self.c.put_account(KEY, balance=amount)
        self.balance = Decimal(amount)

    @precondition(lambda self: self.c is not None and bool(self.tariffs))
    @rule(pick=st.integers(0, 10**6), period=st.sampled_from([1, 3, 7]))
    def empty_stock(self, pick: int, period: int) -> None:
        assert self.c is not None
        code = sorted(self.tariffs)[pick % min(3, len(self.tariffs))]
        iso = self.c.catalog()["onlinesim"]["countries"][str(code)]["iso"]
        self.c.set_stock("onlinesim", iso, 0, period=period)
        self.stock[(code, period)] = 0

    @precondition(lambda self: self.c is not None)
    @rule(tzid=rentals, moment=st.sampled_from(["guard", "expiry"]), offset=st.sampled_from([-1, 0, 1]))
    def advance_to_a_boundary(self, tzid: int | None, moment: str, offset: int) -> None:
        """Jump to just before, at, or just after a rental's guard end or expiry: where off-by-ones live."""
        r = self.open.get(tzid) if tzid is not None else None
        if r is None or self.c is None:
            return
        when = (r.guard_until() if moment == "guard" else r.expires) + offset
        if when > self.now:
            self.advance_clock(when - self.now)

    @invariant()
    def balance_matches(self) -> None:
        """After every step: balance and frozen balance to the cent. The other key's (which holds nothing
        of ours, ever) after every step that moved ours: a leak of our money shows there when it moves."""
        reply = self.t.call(P, "getBalance")
        body = expect_success(self.t, reply, "balance:success", profile=self.s.profile)
        if self.c or not self.s.can_spend:
            expect(self.t, reply, "money:balance-equals-model", self.balance, Decimal(str(body["balance"])))
        if self.c:
            held = sum((r.paid for r in self.open.values() if r.confirmed_at is None and r.guard_until() > self.now),
                       Decimal(0))
            expect(self.t, reply, "money:frozen-balance", held, Decimal(str(body["zbalance"])))
            if self.other_checked_at == (self.balance, held):
                return
            self.other_checked_at = (self.balance, held)
            other = self.t.call(P, "getBalance", api_key=self.s.other_key)
            found = expect_success(self.t, other, "balance:success", profile=self.s.profile)
            expect(self.t, other, "isolation:other-key-balance", (Decimal(OTHER_BALANCE), Decimal(0)),
                   (Decimal(str(found["balance"])), Decimal(str(found["zbalance"]))))

    @rule(code=st.sampled_from([None, "first", "second"]))
    def tariffs(self, code: str | None) -> None:
        """Prices stay as published; free numbers per period move with every rent, release and stock change."""
        if not self.tariffs:
            return
        wanted = sorted(self.tariffs)[:2][0 if code == "first" else -1] if code else None
        reply = self.t.call(P, "tariffsRent", {"country": wanted})
        body = expect_success(self.t, reply, "tariffs-readable", profile=self.s.profile)
        found = {int(wanted): body} if wanted is not None else {int(k): v for k, v in body.items()}
        expect(self.t, reply, "tariffs:countries", sorted(self.tariffs) if wanted is None else [wanted], sorted(found))
        for country, tariff in found.items():
            known = self.tariffs[country]
            expect(self.t, reply, "tariffs:prices", (known["days"], known["extend"]), (tariff["days"], tariff["extend"]))
            if self.c:
                expect(self.t, reply, "stock:tariffs-count",
                       {d: self.stock.get((country, int(d)), 0) for d in known["count"]}, tariff["count"])

    @precondition(lambda self: self.c is not None)
    @rule(tzid=rentals)
    def port_reload(self, tzid: int | None) -> None:
        """A new number on the same port: refused while the cooldown runs or with under an hour left."""
        if tzid is None:
            return
        r = self.open.get(tzid)
        reply = self.t.call(P, "portReload", {"tzid": tzid})
        if r is None:
            expect_error(self.t, reply, "LIFICYCLE_NUM_EXPIRED", profile=self.s.profile)
        elif self._reload_wait(r):
            expect_error(self.t, reply, "TRY_AGAIN_LATER", profile=self.s.profile)
        elif r.expires - self.now < 3600:
            expect_error(self.t, reply, "NEED_EXTENSION_NUMBER", profile=self.s.profile)
        else:
            expect(self.t, reply, "reload:answer", {"response": 1},
                   expect_success(self.t, reply, "reload:success", profile=self.s.profile))
            r.reload_at = self.now
            self.state_one(tzid, False, None)

    @rule(tzid=rentals)
    def other_key_cannot_touch(self, tzid: int | None) -> None:
        if tzid is None:
            return
        other = self.s.other_key  # (its balance is checked after every step: ``balance_matches``)
        listed = self.t.call(P, "getRentState", {"tzid": tzid}, api_key=other)
        expect(self.t, listed, "isolation:other-key-sees-nothing", [],
               expect_success(self.t, listed, "state:success", profile=self.s.profile)["list"])
        closed = self.t.call(P, "closeRentNum", {"tzid": tzid}, api_key=other)
        conform(self.t, closed, profile=self.s.profile)
        expect(self.t, closed, "isolation:other-key-cannot-close", "ERROR_WRONG_TZID",
               error_code(closed) if is_error(closed) else "success")

    @rule(method=st.sampled_from(["getRentNum", "getRentState", "extendRentState", "closeRentNum", "portReload",
                                  "tariffsRent", "getBalance", "noSuchMethod"]),
          junk=st.dictionaries(st.sampled_from(["country", "days", "tzid", "pagination", "extension", "page"]),
                               JUNK, max_size=3))
    def hostile_input_gets_an_envelope(self, method: str, junk: dict[str, str]) -> None:
        if method in ("getRentNum", "extendRentState") and not (self.c or self.s.can_spend):
            return  # a real account: never risk a spend on input that might be accidentally valid
        if method in ("getRentNum", "extendRentState"):
            junk.setdefault("days", "-1")  # junk is never a whole number, so nothing can be charged
        reply = self.t.call(P, method, junk)
        conform(self.t, reply, profile=self.s.profile)
        if isinstance(reply.body, dict) and reply.body.get("response") == 1 and method in (
                "getRentNum", "extendRentState", "closeRentNum"):
            raise AssertionError(f"[hostile-input:{method}] junk {junk!r} was accepted")

    @invariant()
    def balance_never_negative(self) -> None:
        assert self.balance >= 0, "[money:non-negative] the model balance went negative"
