"""A stateful model of SMSPVA's rental API: balance, orders and their states, SMS, prolonging, archive
and restore, each answer predicted from the model and checked.

``SmsPvaMachine`` adds to the paid rules (``smspva_paid``) the reads (orders, sms, history, restore
quotes, published stock) and, where the target is our mock, the control API's situations: the clock
moving (activation queue, online window, expiry), SMS arriving, stock emptied, the balance lowered,
a number leaving the system, a fault rule, and a second key that must see and touch nothing.
Without a control API those rules stay out and the report lists them as not run.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from sms_rent_mock.schemas.dialects import SMSPVA

from ..checks import Violation, conform, expect, is_error
from ..invalid import JUNK
from ..target import Reply
from .smspva_base import KEY, ORDERS, P, UNKNOWN_ID
from .smspva_control import ControlRules
from .smspva_model import CENT, Order, restore_quote
from .smspva_paid import PaidRules

METHODS = tuple(SMSPVA.methods)
HOSTILE_KEYS = ("id", "country", "service", "services", "dtype", "dcount", "skip", "take", "pnumber", "rent_days",
                "provider")
# for a method that changes state, one parameter that can never be valid: junk must not spend or change
NEVER_VALID = {"create": ("dcount", "0"), "create_multi": ("dcount", "0"), "prolong": ("dcount", "0"),
               "prolong_max": ("dcount", "0"), "add_service_to_order": ("rent_days", "3"),
               "restore_user": ("id", "-1"), "activate": ("id", "-1"), "delete": ("id", "-1")}
# the other parameters each order method needs, so only the id can be at fault
UNKNOWN_ORDER: dict[str, dict[str, object]] = {
    "activate": {}, "sms": {}, "delete": {}, "restore_user_precalc": {}, "restore_user": {},
    "prolong": {"dtype": "week", "dcount": 1}, "prolong_max": {"dtype": "day", "dcount": 1},
    "add_service_to_order": {"service": "opt2", "pnumber": "79000000000"}}


class SmsPvaMachine(PaidRules, ControlRules):
    """Reads, the control API's situations, isolation and hostile input, on top of the paid rules."""

    # -- reads ----------------------------------------------------------------------------------

    @rule()
    def list_orders(self) -> None:
        """Open orders by id, each row predicted (state, hasnewsms, until, prolong limits, lastonline)."""
        reply = self.t.call(P, "orders")
        rows = self._success(reply, "orders:success")
        listed = {row["id"]: row for row in rows}
        if self.c:
            expect(self.t, reply, "orders:open-orders-by-id", sorted(o.id for o in self._open()),
                   [r["id"] for r in rows])
        else:
            mine = sorted(o.id for o in self._open())
            expect(self.t, reply, "orders:my-open-orders-listed", mine, sorted(i for i in listed if i in mine))
        for order_id, row in listed.items():
            if (o := self.orders_by_id.get(order_id)) is not None:
                self._check_row(reply, row, o)

    @rule(order_id=ORDERS, prefer=st.sampled_from(["", "offline again", "online"]))
    def activate(self, order_id: int, prefer: str) -> None:
        """Free: 0 -> 2 (queued) -> 1 (online) -> 0; a queued or online number is left as it is."""
        o = self.orders_by_id[self._steer(order_id, bool(prefer), prefer or "offline again")]
        reply = self.t.call(P, "activate", {"id": o.id})
        refusal = "Order is closed" if not o.open else "Phone number is not in the system" if o.gone else ""
        if self._was_refused(reply, refusal if self.c else ""):
            return
        expect(self.t, reply, "activate:echoes-id", {"id": o.id}, self._success(reply, "activate:success"))
        if self.c:
            if o.state(self.now) == 0:
                o.queue(self.now, self.delays)
            self._check_listed(o)  # the edge 0 -> 2, or nothing changed, seen at once

    @rule(order_id=ORDERS)
    def read_sms(self, order_id: int) -> None:
        """Every SMS the number received while the order held it, newest first; reading clears hasnewsms."""
        self._read_sms(self.orders_by_id[order_id])

    @rule(skip=st.sampled_from([None, 0, 1, 2, 5, 10]), take=st.sampled_from([None, None, 1, 2, 3, 10, 11]))
    def history(self, skip: int | None, take: int | None) -> None:
        """Archived orders, newest first; ``skip``/``take`` cut that list (they default to 0 and 10)."""
        reply = self.t.call(P, "get_rent_history", {"skip": skip, "take": take})
        rows = self._success(reply, "get_rent_history:success")
        if self.c:
            return self._check_history(reply, rows, skip or 0, take or 10)
        whole = self._success(self.t.call(P, "get_rent_history", {"skip": 0, "take": 1000}), "history:success")
        expect(self.t, reply, "history:paging", whole[(skip or 0):(skip or 0) + (take or 10)], rows)
        return None

    @precondition(lambda self: self.c is not None and self.s.can_spend and bool(self.markets)
                  and sum(1 for o in self.orders_by_id.values() if not o.open) <= 10)
    @rule(market=st.integers(0, 10**6))
    def archive_fills_up(self, market: int) -> None:
        """Orders rented and deleted until more than a page of history (10) exists, then the default page."""
        for _ in range(12):
            if sum(1 for o in self.orders_by_id.values() if not o.open) > 10:
                break
            country, offered = self.markets[market % len(self.markets)]
            made = self._rent(country, offered[:1], "week", 1, "")
            if not isinstance(made, int):
                break
            self.delete(made, False)
        self.history(None, None)

    def _check_history(self, reply: Reply, rows: list[dict[str, Any]], skip: int, take: int) -> None:
        archived = sorted((o for o in self.orders_by_id.values() if not o.open),
                          key=lambda o: (-(o.closed_at or 0), -o.id))
        page = archived[skip:skip + take]
        expect(self.t, reply, "history:page-newest-first", [o.id for o in page], [r["orderId"] for r in rows])
        held = {x.number for x in self._open()}
        for o, row in zip(page, rows):
            expected = {"resourceCode": ",".join(o.services), "number": o.number, "haveSms": bool(o.sms),
                        "days": o.days, "country": o.country, "begin": o.created, "end": o.until,
                        "closed": o.closed_at, "branchId": self._branch(o)}
            if self.live:
                expected["isAvailForRestore"] = not restore_quote(o, self.now, self.delays, self.pricing, held)[0]
            expect(self.t, reply, "history:row", expected, {k: row.get(k) for k in expected})

    def _branch(self, o: Order) -> int:
        operators = self.operators.get(o.country, [])
        return operators.index(o.operator) + 1 if o.operator in operators else 0

    @rule(order_id=ORDERS, prefer=st.booleans())
    def restore_quote(self, order_id: int, prefer: bool) -> None:
        """price = (outdays + prolongTo) x the full daily price of every service of the order."""
        order_id = self._steer(order_id, prefer, "restorable")
        reply = self.t.call(P, "restore_user_precalc", {"id": order_id})
        conform(self.t, reply, profile=self.s.profile)
        o = self.orders_by_id.get(order_id)
        if not self.c:
            if o is None:
                expect(self.t, reply, "restore_user_precalc:unknown-order-refused", True, is_error(reply))
            return
        held = {x.number for x in self._open()}
        code, overdue, price = restore_quote(o, self.now, self.delays, self.pricing, held) if o else (
            "NOREMOTEDATA", 0, Decimal(0))
        if code:
            return self._refused(reply, code)
        assert o is not None
        data = self._success(reply, "restore_user_precalc:success")
        expected = {"ccode": o.country, "scode": ",".join(o.services), "price": price,
                    "sname": ", ".join(self.names.get(s, s) for s in o.services), "pnumber": o.number,
                    "outdays": overdue, "orderid": o.id, "prolongTo": self.delays.prepaid_days}
        actual = {**{k: data.get(k) for k in expected}, "price": Decimal(str(data["price"])).quantize(CENT)}
        expect(self.t, reply, "restore:quote", expected, actual)
        return None

    @rule(pick=st.integers(0, 10**6),
          method=st.sampled_from(["getcount", "getCountWithProviders", "getdata", "getdataWithProviders"]))
    def published_stock(self, pick: int, method: str) -> None:
        """Free numbers per service (and operator) move with every rent, release, restore and stock change."""
        if not self.markets:
            return
        country = self.markets[pick % len(self.markets)][0]
        reply = self.t.call(P, method, {"country": country})
        data = self._success(reply, f"{method}:success")
        if not self.c:
            return
        per = {s: self.stock.operators(country, s) for (c, s) in self.pricing.day if c == country}
        totals = {s: sum(ops.values()) for s, ops in per.items()}
        if method == "getcount":
            expect(self.t, reply, "stock:getcount", totals, data)
        elif method == "getCountWithProviders":
            expect(self.t, reply, "stock:per-operator",
                   {s: {"Amount": ops, "Total": totals[s]} for s, ops in per.items()}, data)
        elif method == "getdataWithProviders":
            expect(self.t, reply, "stock:per-operator", per, {r["service"]: r["count"] for r in data["services"]})
        else:
            rows = data["services"] if self.live else data
            expect(self.t, reply, "stock:getdata", totals, {r["service"]: r["count"] for r in rows})

    @rule(method=st.sampled_from(sorted(UNKNOWN_ORDER)))
    def unknown_order_is_refused(self, method: str) -> None:
        """An id no order of this key has: refused, and nothing is charged."""
        reply = self.t.call(P, method, {"id": UNKNOWN_ID, **UNKNOWN_ORDER[method]})
        if self.c:
            self._refused(reply, "NOREMOTEDATA" if method.startswith("restore") else "order not found")
        else:
            conform(self.t, reply, profile=self.s.profile)
            expect(self.t, reply, f"{method}:unknown-order-refused", True, is_error(reply))

    # -- hostile input --------------------------------------------------------------------------

    @rule(method=st.sampled_from([*METHODS, "noSuchMethod", "getDataWithProviders"]),
          junk=st.dictionaries(st.sampled_from(HOSTILE_KEYS), JUNK, max_size=3))
    def hostile_input_gets_an_envelope(self, method: str, junk: dict[str, str]) -> None:
        """Junk gets a conforming envelope; a method that changes state gets junk that can never be valid,
        and must refuse it."""
        if method in NEVER_VALID:
            name, value = NEVER_VALID[method]
            junk[name] = value
        reply = self.t.call(P, method, junk)
        conform(self.t, reply, profile=self.s.profile)
        if method in NEVER_VALID or method not in METHODS:
            expect(self.t, reply, f"hostile-input:{method}:refused", True, is_error(reply))

    @invariant()
    def balance_never_negative(self) -> None:
        """The model itself must never let the balance go below zero (the service refuses first)."""
        assert self.balance is None or self.balance >= 0, "[money:non-negative] the model balance went negative"

    @invariant()
    def what_a_step_changed_is_as_modelled(self) -> None:
        """After a step that moved money, the balance (to the cent); after one that changed the archive, the
        whole history. Only where the control API shows the balance (the rental API has no balance method)."""
        if self.c is not None and "money" in self.touched:
            found = Decimal(str(self.c.account(KEY)["balance"])).quantize(CENT)
            if found != self.balance:
                raise Violation("money:balance-equals-model", None, self.balance, found, self.t)
        if self.c is not None and "archive" in self.touched:
            reply = self.t.call(P, "get_rent_history", {"skip": 0, "take": 1000})
            self._check_history(reply, self._success(reply, "get_rent_history:success"), 0, 1000)
        self.touched.clear()
