"""SMSPVA rules that need our mock's control API: the clock, SMS arriving, stock, the balance, a number
leaving the system, fault rules, and a second key. Each puts the service into a situation the model
then predicts the consequences of (the other rules check them)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from ..checks import Violation, expect
from .smspva_base import KEY, ORDERS, P, UNKNOWN_ID, SmsPvaBase
from .smspva_model import DAY, Order, Sms

STEPS = ("next event", "into a prolong window", "into an online window", "into an order's last hour", "minute", "activation", "online window", "hour", "day", "3 days",
         "8 days", "31 days")
ISOLATION_PARAMS = {"prolong": {"dtype": "week", "dcount": 1}, "add_service_to_order": {"service": "opt2"}}
FAULTS = {"orders": {}, "get_rent_history": {}, "getdata": {"country": "RU"}, "sms": {"id": UNKNOWN_ID},
          "create": {"dtype": "week", "dcount": 1, "country": "RU", "service": "opt6"}}


def has_control(machine: SmsPvaBase) -> bool:
    """Precondition of every rule here: the target is our mock."""
    return machine.c is not None


class ControlRules(SmsPvaBase):
    """Situations only the mock can be put into, through ``MockControl``."""

    def _control_expect(self, rule_name: str, expected: object, actual: object) -> None:
        if expected != actual:
            raise Violation(rule_name, None, expected, actual, self.t)

    @precondition(has_control)
    @rule(step=st.sampled_from(STEPS))
    def advance_clock(self, step: str) -> None:
        """Time passes: queues end, online windows close, paid time runs out (orders go to the archive)."""
        assert self.c is not None
        d = self.delays
        seconds = {"minute": 60, "activation": d.activation, "online window": d.online, "hour": 3600, "day": DAY,
                   "3 days": 3 * DAY, "8 days": 8 * DAY, "31 days": 31 * DAY}.get(step)
        if seconds is None:
            seconds = {"next event": self._next_event, "into an online window": self._into_online_window,
                       "into a prolong window": self._into_prolong_window,
                       "into an order's last hour": self._into_last_hour}[step]()
        now = int(self.c.advance(seconds)["now"])
        self._control_expect("control:frozen-clock-advances-exactly", self.now + seconds, now)
        self.now = now
        self._settle()

    def _next_event(self) -> int:
        """Seconds until the next moment an open order changes by itself (online, offline, expiry); 60 if none."""
        due = [t for o in self._open() for t in (o.online_from, o.online_until, o.until)
               if t is not None and t > self.now]
        return min(due, default=self.now + 60) - self.now

    def _wait(self, seconds: int) -> None:
        assert self.c is not None
        if seconds > 0:
            self.now = int(self.c.advance(seconds)["now"])
            self._settle()

    def _arrange(self, o: Order, situation: str) -> None:
        """Online: activate and wait out the queue (offline again: and the online window too). Prolong window: wait until fewer than the window's days
        are left. Restorable: wait until the paid time ran out (an open order expires into the archive)."""
        if situation == "used":
            self._arrange(o, "online")
            self.sms_arrives(o.id, True, 0, False, False)
        elif situation in ("online", "offline again", "multi-service online"):
            if o.state(self.now) == 0:
                reply = self.t.call(P, "activate", {"id": o.id})
                expect(self.t, reply, "activate:echoes-id", {"id": o.id}, self._success(reply, "activate:success"))
                o.queue(self.now, self.delays)
            self._wait((o.online_from or self.now) - self.now)
            if situation == "offline again":
                self._wait((o.online_until or self.now) - self.now)
        elif situation == "last hour":
            self._wait(o.until - 3600 - self.now)
        elif situation == "prolong window":
            self._wait(o.until - self.delays.window_days * DAY + 60 - self.now)
        else:  # every other order a day and an hour past its expiry, where rounding overdue days up or down differ
            self._wait(o.until + (DAY + 3600 if o.id % 2 else 0) - self.now)

    def _into_last_hour(self) -> int:
        """Seconds until the next open order has an hour left (60 if none has more)."""
        due = [o.until - 3600 for o in self._open() if o.until - 3600 > self.now]
        return min(due, default=self.now + 60) - self.now

    def _into_online_window(self) -> int:
        """Seconds until the middle of the next online window (60 if no number is queued or online)."""
        due = [o.online_from + self.delays.online // 2 for o in self._open() if o.online_from is not None
               and o.online_until is not None and o.online_until > self.now]
        return max(1, min(due, default=self.now + 60) - self.now)

    def _into_prolong_window(self) -> int:
        """Seconds until the next open order is a minute inside its prolong window (60 if none is outside)."""
        window = self.delays.window_days * DAY
        due = [o.until - window + 60 for o in self._open() if not o.gone and o.until - window + 60 > self.now]
        return min(due, default=self.now + 60) - self.now

    @precondition(has_control)
    @rule(order_id=ORDERS, for_order=st.booleans(), which=st.integers(0, 3), prefer=st.booleans(),
          then_read=st.booleans())
    def sms_arrives(self, order_id: int, for_order: bool, which: int, prefer: bool, then_read: bool) -> None:
        """An SMS reaches a number only while an open order holds it online (state 1)."""
        assert self.c is not None
        order_id = self._steer(order_id, prefer, "multi-service online" if which % 2 else "online")
        number = self.orders_by_id[order_id].number
        holder = next((o for o in self._open() if o.number == number), None)
        self.sms_seq += 1
        text = f"Your code: {100000 + self.sms_seq}"
        offered = self.orders_by_id[order_id].services
        service = offered[(len(offered) - 1 - which) % len(offered)]  # the order's last service first: filing
        # an SMS under the right list must hold for every service of the order, not only the first
        if for_order:
            result = self.c.deliver_sms(number, text, service=service)
            sender = self.senders.get(service) or service
        else:
            result = self.c.deliver_sms(number, text, sender="KitOther")
            sender = "KitOther"
        online = holder is not None and holder.state(self.now) == 1
        self._control_expect("sms:received-only-while-online", online, result["delivered"])
        if online and holder is not None:
            self._control_expect("sms:kept-by-the-holder", holder.id, result["rental_id"])
            holder.sms.insert(0, Sms(text, sender, self.now, for_order and service in holder.services))
            holder.unread = True
            self.touched.add("archive")  # haveSms
            if then_read:
                self._read_sms(holder)
            else:
                self._check_listed(holder)  # hasnewsms, seen at once

    @precondition(has_control)
    @rule(pick=st.integers(0, 10**6), count=st.sampled_from([0, 0, 2]))
    def set_stock(self, pick: int, count: int) -> None:
        """Every operator's stock of one service is set (0: sold out)."""
        assert self.c is not None
        country, offered = self.markets[pick % len(self.markets)]
        service = offered[pick % len(offered)]
        self.c.set_stock(P, country, count, service=service)
        for operator in self.stock.operators(country, service):
            self.stock.free[(country, service, operator)] = count

    @precondition(has_control)
    @rule(amount=st.sampled_from(["0", "1.25", "6", "3000"]))
    def set_balance(self, amount: str) -> None:
        """A low (or restored) balance: the next paid calls must be refused, or not, accordingly."""
        assert self.c is not None
        self.c.put_account(KEY, balance=float(amount))
        self.balance = Decimal(amount)
        self.touched.add("money")

    @precondition(lambda self: has_control(self) and not any(o.gone for o in self.orders_by_id.values()))
    @rule(order_id=ORDERS)
    def number_leaves(self, order_id: int) -> None:
        """The provider drops the number: state -1; activate, prolong and restore are refused."""
        assert self.c is not None
        self.c.patch_rental(order_id, gone=True)
        self.orders_by_id[order_id].gone = True
        self.touched.add("archive")

    @precondition(has_control)
    @rule(method=st.sampled_from(sorted(FAULTS)), msg=st.sampled_from(["Try again later", "Too many requests"]))
    def injected_fault(self, method: str, msg: str) -> None:
        """A fault rule answers the next call with an error; nothing changes (balance and orders are checked
        by the other rules afterwards)."""
        assert self.c is not None
        self.c.add_fault(P, method, error=msg, times=1)
        self.touched.add("money")
        self._refused(self.t.call(P, method, FAULTS[method]), msg)

    @precondition(has_control)
    @rule(order_id=ORDERS)
    def other_key_cannot_touch(self, order_id: int) -> None:
        """A second key sees none of these orders and can read, change or restore none of them."""
        o, other = self.orders_by_id[order_id], self.s.other_key
        for action in ("orders", "get_rent_history"):
            reply = self.t.call(P, action, api_key=other)
            expect(self.t, reply, "isolation:other-key-sees-nothing", [], self._success(reply, f"{action}:success"))
        for action in ("sms", "delete", "activate", "prolong", "add_service_to_order"):
            params = {"id": o.id, **ISOLATION_PARAMS.get(action, {}), **({"pnumber": o.number}
                                                                          if action == "add_service_to_order" else {})}
            self._refused(self.t.call(P, action, params, api_key=other), "order not found")
        for action in ("restore_user_precalc", "restore_user"):
            self._refused(self.t.call(P, action, {"id": o.id}, api_key=other), "NOREMOTEDATA" if o.open else "NOTOWNER")
