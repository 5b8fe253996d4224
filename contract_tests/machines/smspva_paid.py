"""SMSPVA rules that change state or cost money: create, create_multi, prolong, prolong_max,
add_service_to_order, delete, restore_user. Each predicts the refusal (in the service's order of checks)
or the success, and moves the model's money, stock and order with it.

On a real provider these run only with spending allowed; each paid call first checks the budget
with the model's price and is skipped if the budget would not cover it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import initialize, multiple, precondition, rule

from ..checks import expect, expect_success
from .smspva_base import EXTRA_SERVICES, ORDERS, P, SmsPvaBase
from .smspva_model import DAY, PERIOD_DAYS, Order, restore_quote


class PaidRules(SmsPvaBase):
    """Renting, prolonging, adding services, deleting and restoring."""

    # -- renting and paid changes ---------------------------------------------------------------

    def _create_refusal(self, country: str, services: tuple[str, ...], days: int, operator: str | None,
                        price: Decimal) -> tuple[str, str | None]:
        """(refusal the service must answer or "", operator the number comes from), in the service's order."""
        shortest = max(self.min_days.get((country, s), 1) for s in services)
        if days < shortest:
            return f"The minimum rental period for this service is {shortest} days", None
        if self.limit is not None and len(self._open()) >= self.limit:
            return "Too many active orders", None
        chosen, no_number = self.stock.pick(country, services, operator)
        if chosen is None:
            return no_number, None
        if self.balance is not None and self.balance < price:
            return "Balance is not enough", None
        return "", chosen

    @initialize(target=ORDERS, market=st.integers(0, 10**6), multi=st.booleans(), dcount=st.sampled_from([1, 2]))
    def first_order(self, market: int, multi: bool, dcount: int) -> Any:
        """Every run starts with an order (where spending is allowed), so the other rules have one to work on."""
        usable = [(c, offered) for c, offered in self.markets
                  if all(self.min_days.get((c, s), 1) <= 7 * dcount for s in offered)]
        if not (self.s.can_spend and usable):
            return multiple()
        country, offered = usable[market % len(usable)]
        return self._rent(country, offered[:2] if multi else offered[:1], "week", dcount, "")

    @initialize(target=ORDERS, market=st.integers(0, 10**6), dtype=st.sampled_from(["week", "month"]))
    def second_order(self, market: int, dtype: str) -> Any:
        """A second order, so the archive's order and the stock shared between orders are checked from the start."""
        return self.first_order(market + 1, False, 1) if dtype == "week" else self._month_order(market)

    def _month_order(self, market: int) -> Any:
        if not (self.s.can_spend and self.markets):
            return multiple()
        country, offered = self.markets[market % len(self.markets)]
        return self._rent(country, offered[-1:], "month", 1, "")

    @precondition(lambda self: self.s.can_spend and bool(self.markets))
    @rule(target=ORDERS, market=st.integers(0, 10**6), service=st.integers(0, 10), multi=st.booleans(),
          dtype=st.sampled_from(["week", "month"]), dcount=st.sampled_from([1, 1, 2, 3]),
          operator=st.sampled_from(["", "", "first", "NoSuchOperator"]))
    def create(self, market: int, service: int, multi: bool, dtype: str, dcount: int, operator: str) -> Any:
        """One service (``create``) or two (``create_multi``), any operator, a named one, or an unknown one."""
        country, offered = self.markets[market % len(self.markets)]
        first = offered[service % len(offered)]
        services = (first, next(s for s in offered if s != first)) if multi and len(offered) > 1 else (first,)
        if operator == "first":
            operator = (self.operators.get(country) or [""])[0]
        return self._rent(country, services, dtype, dcount, operator if self.c else "")

    def _rent(self, country: str, services: tuple[str, ...], dtype: str, dcount: int, operator: str) -> Any:
        """``create`` (one service) or ``create_multi``; the new order's id, or nothing if refused."""
        self.touched.add("money")
        days, method = PERIOD_DAYS[dtype] * dcount, "create_multi" if len(services) > 1 else "create"
        price = self.pricing.rent(country, services, days)
        if not self._affordable(price):
            return multiple()
        reply = self.t.call(P, method, {"dtype": dtype, "dcount": dcount, "country": country,
                                         "provider": operator or None,
                                         ("services" if len(services) > 1 else "service"): ",".join(services)})
        refusal, chosen = self._create_refusal(country, services, days, operator or None, price) if self.c else (
            "", None)
        if self._was_refused(reply, refusal):
            return multiple()
        data = self._success(reply, f"{method}:success")
        expect(self.t, reply, f"{method}:service", ",".join(services), data["service"])
        expect(self.t, reply, f"{method}:new-id", False, data["id"] in self.orders_by_id)
        if self.c:
            expect(self.t, reply, f"{method}:until", self.now + days * DAY, data["until"])
            expect(self.t, reply, f"{method}:ccode", f"+{self.dials[country]}", data["ccode"])
        order = Order(data["id"], country, data["ccode"].lstrip("+"), data["pnumber"], services, chosen or "",
                      self.now, data["until"], days, Decimal(0))
        self.orders_by_id[order.id] = order
        if chosen:
            self.stock.move(country, services, chosen, -1)
        self._pay(order, price)
        return order.id

    @precondition(lambda self: self.s.can_spend)
    @rule(order_id=ORDERS, kind=st.sampled_from(["prolong", "prolong_max"]),
          dcount=st.sampled_from([1, 2, 6, 40, "to the term's end", "a day past the term"]), month=st.booleans(),
          prefer=st.sampled_from(["", "prolong window", "prolong window", "last hour"]))
    def prolong(self, order_id: int, kind: str, dcount: int | str, month: bool, prefer: str) -> None:
        """Weeks or months (``prolong``), days (``prolong_max``): only inside the window and the term,
        up to its last day exactly, and until the paid time's last hour."""
        self.touched.add("money")
        o = self.orders_by_id[self._steer(order_id, bool(prefer), prefer or "prolong window")]
        if isinstance(dcount, str):  # the term's boundary, in days
            kind, dcount = "prolong_max", max(1, o.prolong_limits(self.now, self.delays)[1]
                                                + (1 if dcount.startswith("a day") else 0))
        dtype = "day" if kind == "prolong_max" else "month" if month else "week"
        dcount = min(dcount, 2) if kind == "prolong" else dcount
        days = PERIOD_DAYS[dtype] * dcount
        price = self.pricing.rent(o.country, o.services, days)
        if not self._affordable(price):
            return
        reply = self.t.call(P, kind, {"id": o.id, "dtype": dtype, "dcount": dcount})
        refusal = o.prolong_refusal(self.now, self.delays, days) if self.c else ""
        if not refusal and self.balance is not None and self.balance < price:
            refusal = "Balance is not enough"
        if self._was_refused(reply, refusal):
            return
        expect(self.t, reply, f"{kind}:echoes-id", {"id": o.id}, self._success(reply, f"{kind}:success"))
        o.until, o.days = o.until + days * DAY, o.days + days
        self._pay(o, price)

    @precondition(lambda self: self.s.can_spend)
    @rule(order_id=ORDERS, service=st.sampled_from(EXTRA_SERVICES),
          rent_days=st.sampled_from([None, 1, 7]), pnumber=st.sampled_from(["full", "plus", "national", "wrong"]))
    def add_service(self, order_id: int, service: str, rent_days: int | None, pnumber: str) -> None:
        """Another service on the same number, charged for 1 or 7 days (7 by default)."""
        self.touched.add("money")
        o = self.orders_by_id[order_id]
        offered = (o.country, service) in self.pricing.day
        price = self.pricing.one(o.country, service, rent_days or 7) if offered else Decimal(0)
        if not self._affordable(price):
            return
        number = {"full": o.number, "plus": f"+{o.number}", "national": o.phone}.get(pnumber, "12345")
        reply = self.t.call(P, "add_service_to_order", {"id": o.id, "service": service, "pnumber": number,
                                                       "rent_days": rent_days})
        if self._was_refused(reply, self._add_service_refusal(o, service, pnumber, price) if self.c else ""):
            return
        body = expect_success(self.t, reply, "add_service_to_order:success", profile=self.s.profile)
        if self.live:
            expect(self.t, reply, "add_service_to_order:data", {"id": o.id, "pnumber": o.phone, "service": service,
                                                                "until": o.until}, body.get("data"))
        else:
            expect(self.t, reply, "add_service_to_order:documented-shape", {"status": 1}, body)
        o.services += (service,)
        self.stock.move(o.country, (service,), o.operator, -1)
        self._pay(o, price)

    def _add_service_refusal(self, o: Order, service: str, pnumber: str, price: Decimal) -> str:
        """The refusal ``add_service_to_order`` must answer, in the service's order of checks ("" if none)."""
        free = self.stock.free.get((o.country, service, o.operator))
        for refusal, applies in (("Incorrect pnumber", pnumber == "wrong"),
                                 ("Service is already in the order", service in o.services),
                                 ("Order is closed", not o.open),
                                 ("Phone number is not in the system", o.gone),
                                 ("Service not found", (o.country, service) not in self.pricing.day),
                                 ("Provider not found", free is None),
                                 ("No numbers available", free is not None and free <= 0),
                                 ("Balance is not enough", self.balance is not None and self.balance < price)):
            if applies:
                return refusal
        return ""

    @rule(order_id=ORDERS, prefer=st.booleans())
    def delete(self, order_id: int, prefer: bool) -> None:
        """Free; refunds everything paid for the order unless it ever received an SMS."""
        self.touched.add("money")
        o = self.orders_by_id[self._steer(order_id, prefer, "used")]
        reply = self.t.call(P, "delete", {"id": o.id})
        if self._was_refused(reply, "Order is closed" if self.c and not o.open else ""):
            return
        expect(self.t, reply, "delete:echoes-id", {"id": o.id}, self._success(reply, "delete:success"))
        o.closed_at = self.now
        self.touched.add("archive")
        self.stock.move(o.country, o.services, o.operator, +1)
        if not o.sms:
            if self.balance is not None:
                self.balance += o.paid
            o.paid = Decimal(0)

    @precondition(lambda self: self.s.can_spend)
    @rule(order_id=ORDERS, prefer=st.booleans())
    def restore(self, order_id: int, prefer: bool) -> None:
        """Cost (overdue days + prepaid days) x the full daily price; the same order comes back."""
        self.touched.add("money")
        o = self.orders_by_id[self._steer(order_id, prefer, "restorable")]
        if self.c is None:
            return self._restore_within_budget(o)
        code, overdue, price = restore_quote(o, self.now, self.delays, self.pricing, {x.number for x in self._open()})
        if not code and self.balance is not None and self.balance < price:
            code = f"NOBALANCE: Today need {price:.2f} USD"
        reply = self.t.call(P, "restore_user", {"id": o.id})
        if self._was_refused(reply, code):
            return None
        expect(self.t, reply, "restore_user:data", {"id": o.id} if self.live else True,
               self._success(reply, "restore_user:success"))
        self._restored(o, overdue + self.delays.prepaid_days, price)
        return None

    def _restore_within_budget(self, o: Order) -> None:
        """A real account: ask for the quote first, and restore only if the budget covers it."""
        quote = self.t.call(P, "restore_user_precalc", {"id": o.id})
        if self._was_refused(quote, ""):
            return
        data = self._success(quote, "restore_user_precalc:success")
        price = Decimal(str(data["price"]))
        if not self._affordable(price):
            return
        reply = self.t.call(P, "restore_user", {"id": o.id})
        if self._was_refused(reply, ""):
            return
        self._success(reply, "restore_user:success")
        self._restored(o, int(data["outdays"]) + int(data["prolongTo"]), price)

    def _restored(self, o: Order, added_days: int, price: Decimal) -> None:
        self.touched.add("archive")
        o.online_before = o.last_online(self.now)
        o.closed_at, o.online_from, o.online_until = None, None, None
        o.until, o.days = o.until + added_days * DAY, o.days + added_days
        self.stock.move(o.country, o.services, o.operator, -1)
        self._pay(o, price)
