"""The World facade: the one object both providers call. Each public method is one transaction.

Due events (a guard window that ran out, an expiry, an auto-renewal) are not scheduled: every call
first settles whatever fell due before the clock's `now`, dated at the moment it happened.

A read is a read: ``with world.view(apikey) as v`` gives one read transaction (a consistent snapshot),
`now` read once, the catalog and the key's account; it takes the write lock only when something fell
due (the indexed ``due_at`` check) or the key's account must be created.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from typing import Any

from . import accounts, archive, clock, guards, inbox, stock, throttle
from .archive import Quote
from .catalog import Catalog, Offer, with_pricing
from .errors import (IdentificationRequired, InsufficientBalance, MissingKey, OutOfStock, RentalError, TooManyRentals,
                     TryAgainLater, UnknownKey)
from .guards import Action, Facts
from .market import Market
from .ports import Faker, Store, Tx
from .records import Delivery, RentRequest
from .rentals import DAY, FIRST_RENTAL_ID, CloseReason, LineState, Rental
from .settings import Settings
from .view import View, owned

__all__ = ["Delivery", "Quote", "RentRequest", "TABLES", "View", "World", "owned"]

# the tables a reset empties (meta aside)
TABLES = ("accounts", "ledger", "stock", "rentals", "sms", "retired_numbers", "throttle")
_NO_KEY = object()


def _ignore(now: int) -> None:
    pass


class World:
    """Rentals, balances, messages and the clock over one store.

    Its dependencies come in: the ``store`` (``ports.Store``), ``faker(seed)`` making seeded numbers and
    SMS texts, and ``load_catalog()`` giving the catalog data a fresh state starts from
    (``sms_rent_mock.mock_server.config.new_world`` passes the ones in ``fixtures``), and ``markets``: each provider's
    ``Market`` policy (from the providers package)."""

    def __init__(self, store: Store, settings: Settings | None = None, *, faker: Callable[[int], Faker],
                 load_catalog: Callable[[], dict[str, Any]], markets: Mapping[str, Market] | None = None,
                 seed: int = 0, clock_mode: str | None = None, time_scale: float = 1.0,
                 start_time: float | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.make_faker, self.load_catalog = faker, load_catalog
        self.markets: Mapping[str, Market] = dict(markets or {})
        self._pricing = {name: m.pricing for name, m in self.markets.items()}
        self._rng = random.Random(seed)
        self._cache: dict[str, Any] = {}
        # told each `now` a transaction reads (the request journal dates its entry with it: no second clock read)
        self.seen_now: Callable[[int], None] = _ignore
        with store.unit_of_work() as tx:
            if tx.meta.get("clock") is None:
                self._wipe(tx, seed=seed, clock_state=clock.initial(clock_mode or "real", start=start_time,
                                                                     scale=time_scale))
            elif clock_mode is not None:
                tx.meta.put("clock", clock.switched(self._clock(tx), clock_mode, time_scale).to_json())

    # -- state plumbing -------------------------------------------------------------------------

    def _cached(self, key: str, raw: str, build: Any) -> Any:
        hit = self._cache.get(key)
        if hit is None or hit[0] != raw:
            hit = self._cache[key] = (raw, build(raw))
        return hit[1]

    def _clock(self, tx: Tx, raw: str | None = None) -> clock.ClockState:
        return self._cached("clock", tx.meta.get("clock") or "" if raw is None else raw, clock.ClockState.from_json)

    def _now(self, tx: Tx, raw: str | None = None) -> int:
        now = self._clock(tx, raw).now()
        self.seen_now(now)
        return now

    def catalog(self, tx: Tx | None = None, rev: str | None = None) -> Catalog:
        """The stored catalog (rebuilt only when its revision moved; ``rev``: the one already read)."""
        tx = tx or self.store.current()
        return self._cached("catalog", tx.meta.get("catalog_rev") or "" if rev is None else rev,
                            lambda _: Catalog(self.with_pricing(json.loads(tx.meta.get("catalog") or "{}"))))

    def with_pricing(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Catalog data with each market's pricing said (see ``catalog.with_pricing``)."""
        return with_pricing(data, self._pricing)

    def faker(self, tx: Tx | None = None) -> Faker:
        """The faker of the stored seed."""
        tx = tx or self.store.current()
        return self._cached("faker", tx.meta.get("seed") or "0", lambda raw: self.make_faker(int(raw)))

    def _wipe(self, tx: Tx, *, seed: int, clock_state: clock.ClockState,
              catalog_data: dict[str, Any] | None = None) -> None:
        tx.snapshot.wipe(TABLES)
        data = self.with_pricing(catalog_data if catalog_data is not None else self.load_catalog())
        tx.meta.put("clock", clock_state.to_json())
        tx.meta.put("seed", str(seed))
        tx.meta.put_catalog(data)
        tx.stock.fill(Catalog(data).initial_stock())
        self._rng.seed(seed)

    @contextmanager
    def unit_of_work(self, apikey: str | None = None) -> Iterator[tuple[Tx, int]]:
        """One write transaction with the clock read and due events settled:
        ``with world.unit_of_work() as (tx, now)``; with the ``apikey`` it acts for, whose account the
        same first statement reads (the transaction's own reads of it then ask the database no more)."""
        with self.store.unit_of_work() as tx:
            head = tx.meta.heading(apikey)  # the clock, the first due event (and the account) in one statement
            now = self._now(tx, head.clock)
            if head.next_due is not None and head.next_due <= now:
                self._settle(tx, now)
            yield tx, now

    def settle(self) -> None:
        """Settle whatever fell due by now (a write only when something did)."""
        tx = self.store.current()
        if tx.rentals.any_due(self._clock(tx).now()):
            with self.unit_of_work():
                pass

    @contextmanager
    def view(self, apikey: Any = _NO_KEY) -> Iterator[View]:
        """One read transaction for a whole request (see the module docstring). With ``apikey`` the
        key's account is checked first (missing, unknown when strict, blocked) and created on first use."""
        if self.store.in_transaction:  # called inside this thread's write: read within it
            tx = self.store.current()
            now = self._now(tx)
            account = None if apikey is _NO_KEY else self._require(tx, apikey, now)
            yield View(tx, now, self.catalog(tx), self.settings, account)
            return
        if apikey is not _NO_KEY and not apikey:
            raise MissingKey()
        with self.store.reading() as tx:
            # clock, catalog revision, the first due event and the key's account: one statement
            head = tx.meta.heading(None if apikey is _NO_KEY else apikey)
            now = self._now(tx, head.clock)
            if apikey is _NO_KEY:
                account, ready = None, True
            else:
                account = head.account
                if account is None and self.settings.strict_keys:
                    raise UnknownKey()
                ready = account is not None
            if ready and (head.next_due is None or head.next_due > now):
                yield View(tx, now, self.catalog(tx, head.catalog_rev), self.settings,
                           account and accounts.check(account))
                return
        with self.store.unit_of_work() as tx:  # the slow path: settle what fell due, create the account
            self._settle(tx, now)
            if apikey is not _NO_KEY and tx.accounts.load(apikey) is None:
                self._require(tx, apikey, now)
        with self.store.reading() as tx:
            account = None if apikey is _NO_KEY else tx.accounts.load(apikey)
            yield View(tx, now, self.catalog(tx), self.settings, account and accounts.check(account))

    # -- clock ----------------------------------------------------------------------------------

    def now(self) -> int:
        return self._clock(self.store.current()).now()

    def clock_state(self) -> clock.ClockState:
        return self._clock(self.store.current())

    def change_clock(self, change: Any) -> clock.ClockState:
        """Apply ``change(state) -> state`` (advance, set, switch) atomically, then settle what fell due."""
        with self.store.unit_of_work() as tx:
            state = change(self._clock(tx))
            tx.meta.put("clock", state.to_json())
        self.settle()
        return state

    def reset(self, *, seed: int = 0, catalog_data: dict[str, Any] | None = None,
              clock_state: clock.ClockState | None = None) -> None:
        with self.store.unit_of_work() as tx:
            self._wipe(tx, seed=seed, clock_state=clock_state or self._clock(tx), catalog_data=catalog_data)

    # -- settling due events --------------------------------------------------------------------

    def _settle(self, tx: Tx, now: int) -> None:
        """Apply due events one at a time in the order they happened, across all rentals, so that
        renewals competing for one balance are charged chronologically."""
        while (due := tx.rentals.next_due(now)) is not None:
            self._settle_step(tx, due, now)

    def _settle_step(self, tx: Tx, rental_id: int, now: int) -> None:
        """One due event of one rental: its guard window ending, or its expiry (renewed or not)."""
        rental = self._get(tx, rental_id, now)
        guard = rental.guard_until
        if guard is not None and guard <= now:
            if tx.inbox.any_by(rental_id, guard):
                tx.rentals.update(rental_id, guard_until=None)
            else:
                self._close(tx, rental, at=guard, reason=CloseReason.UNCONFIRMED, refund=True)
        elif not (rental.auto_renew and self._renew(tx, rental)):
            self._close(tx, rental, at=rental.expires_at, reason=CloseReason.EXPIRED, refund=False)

    def _renew(self, tx: Tx, rental: Rental) -> bool:
        days = self.settings.renew_days
        try:
            price = sum((o.extension_price(days) for o in self._offers(tx, rental)), Decimal(0))
            accounts.charge(tx, rental.apikey, price, now=rental.expires_at, rental_id=rental.id,
                            memo=f"auto-renew {days} days")
        except RentalError:
            return False
        tx.rentals.update(rental.id, expires_at=rental.expires_at + days * DAY, days=rental.days + days)
        return True

    def _close(self, tx: Tx, rental: Rental, *, at: int, reason: CloseReason, refund: bool) -> Rental:
        """Close ``rental`` (read at ``at``); returns it as a read at ``at`` would now find it."""
        tx.rentals.update(rental.id, closed_at=at, close_reason=str(reason), guard_until=None)
        tx.inbox.drop_after(rental.id, at)  # scripted, never arrived
        refunded = Decimal(0)
        if refund:
            refunded = accounts.refund_rental(tx, rental.apikey, rental.id, now=at, memo=f"refund: {reason}",
                                              paid=rental.paid)
        stock.give_back(tx, rental.provider, rental.country, rental.services, rental.period, rental.operator)
        return replace(rental, closed_at=at, close_reason=str(reason), guard_until=None,
                       paid=rental.paid - refunded if refunded > 0 else rental.paid)

    def _offers(self, tx: Tx, rental: Rental) -> list[Offer]:
        catalog = self.catalog(tx)
        return [catalog.offer(rental.provider, rental.country, s) for s in rental.services or ("",)]

    # -- accounts -------------------------------------------------------------------------------

    def account(self, apikey: str | None) -> accounts.Account:
        """The key's account (created with the starting balance on first use unless keys are strict)."""
        existing = self.store.current().accounts.load(apikey) if apikey else None
        if existing is not None:
            return accounts.check(existing)
        with self.unit_of_work() as (tx, now):
            return self._require(tx, apikey, now)

    def _require(self, tx: Tx, apikey: str | None, now: int) -> accounts.Account:
        s = self.settings
        return accounts.require(tx, apikey, strict=s.strict_keys, start_balance=s.start_balance, now=now)

    def ledger(self, apikey: str, *, limit: int = 1000) -> list[accounts.LedgerEntry]:
        """The key's ledger rows, newest first."""
        return self.store.current().accounts.ledger(apikey, limit=limit)

    def frozen_balance(self, apikey: str, provider: str) -> Decimal:
        """Money held by the key's rentals of ``provider`` still inside their refundable guard window."""
        with self.view(apikey) as v:
            return v.frozen_balance(provider)

    # -- renting --------------------------------------------------------------------------------

    def rent(self, apikey: str | None, req: RentRequest) -> Rental:
        with self.renting(apikey, req) as (rental, _):
            return rental

    @contextmanager
    def renting(self, apikey: str | None, req: RentRequest) -> Iterator[tuple[Rental, View]]:
        """Rent, and read the answer in the rent's own transaction and `now`: a view opened after it could
        see the number's first SMS land while the rental in hand still says none has. A failure while
        reading rolls the rent back: no charge for an answer never given. The view's ``account`` is the one
        read before the charge (the answer needs the rental, not the balance)."""
        self._throttle(apikey, req)
        with self.unit_of_work(apikey) as (tx, now):
            account = self._require(tx, apikey, now)
            if account.restriction == "identification_required":
                raise IdentificationRequired()
            catalog = self.catalog(tx)
            country = catalog.country(req.country)
            price = sum((catalog.offer(req.provider, req.country, s).price(req.days) for s in req.services), Decimal(0))
            limit = self.settings.max_concurrent if account.max_concurrent is None else account.max_concurrent
            if tx.rentals.count_open(account.apikey) >= limit:
                raise TooManyRentals()
            operator = stock.take(tx, req.provider, req.country, req.services, req.period, req.operator)
            rental_id = tx.rentals.next_id(FIRST_RENTAL_ID)
            phone = self._free_number(tx, country.dial, country.pattern, rental_id)
            rental = Rental(rental_id, account.apikey, req.provider, req.country, country.dial, phone,
                            tuple(s for s in req.services if s), operator, req.period, req.days, req.auto_renew,
                            req.needs_activation, created_at=now, expires_at=now + req.days * DAY,
                            guard_until=now + self.settings.guard_seconds if req.guarded else None,
                            online_from=None, online_until=None, reload_at=None, frozen=False, gone=False,
                            last_read_sms=0, closed_at=None, close_reason=None,
                            paid=accounts.from_units(accounts.to_units(price)), first_sms_at=None,
                            unread=0)
            tx.rentals.add(rental)
            accounts.charge(tx, account.apikey, price, now=now, rental_id=rental_id, memo=f"rent {req.days} days")
            if not req.needs_activation:
                self._script_sms(tx, rental, now)
            yield rental, View(tx, now, catalog, self.settings, account)

    def _free_number(self, tx: Tx, dial: str, pattern: str, rental_id: int) -> str:
        faker = self.faker(tx)
        for attempt in range(50):
            phone = faker.national_number(pattern, rental_id, attempt)
            if not tx.rentals.number_taken(dial, phone):
                return phone
        raise OutOfStock("no free number could be drawn for this country")

    def _script_sms(self, tx: Tx, rental: Rental, ready_at: int, *, until: int | None = None) -> None:
        """With ``auto_sms`` on, a code SMS lands that many seconds after the number could first receive."""
        at = ready_at + self.settings.auto_sms
        if not self.settings.auto_sms or (until is not None and at >= until):
            return
        catalog = self.catalog(tx)
        service = rental.services[0] if rental.services else ""
        name = catalog.data.get(rental.provider, {}).get("services", {}).get(service, {}).get("name", "") or "Telegram"
        text, code = self.faker(tx).code_sms(name, rental.id, at)
        inbox.store(tx, rental.id, sender=name, service=service or name, text=text, code=code, at=at)

    def _throttle(self, apikey: str | None, req: RentRequest) -> None:
        """Simulated failures, rate limit and duplicate window (see ``throttle``)."""
        if self.settings.failure_rate and self._rng.random() < self.settings.failure_rate:
            raise TryAgainLater()
        if apikey:
            throttle.check(self.store, self.settings, apikey, req.fingerprint)

    # -- one rental -----------------------------------------------------------------------------

    def _get(self, tx: Tx, rental_id: int, now: int) -> Rental:
        rental = tx.rentals.get(rental_id, now)
        assert rental is not None
        return rental

    def _owned(self, tx: Tx, apikey: str | None, rental_id: int, provider: str, now: int,
               action: Action, **request: Any) -> Rental:
        """The key's account first (its refusals come before the rental's), then the action's guards."""
        self._require(tx, apikey, now)
        facts = Facts(apikey, provider, now, self.settings, **request)
        return owned(tx, apikey, rental_id, provider, now, action, facts)

    def rental(self, apikey: str, rental_id: int, provider: str) -> Rental:
        with self.view(apikey) as v:
            return v.rental(rental_id, provider)

    def open_rentals(self, apikey: str, provider: str) -> list[Rental]:
        with self.view(apikey) as v:
            return v.open_rentals(provider)

    def messages(self, rental: Rental, *, mark_read: bool = False) -> list[inbox.Message]:
        """The rental's messages, newest first; ``mark_read`` writes only if one is still unread."""
        with self.view() as v:
            found = v.messages(rental)
        return self.mark_read(rental, found) if mark_read else found

    def mark_read(self, rental: Rental, shown: list[inbox.Message]) -> list[inbox.Message]:
        """Mark the rental's messages read; returns the messages to show. When ``shown`` (read from a
        view) holds nothing unread this writes nothing; otherwise the messages are read again and
        marked in one write transaction, so none arriving meanwhile is marked without being shown."""
        newest = max((m.id for m in shown), default=None)
        if newest is None or newest == rental.last_read_sms:
            return shown
        with self.unit_of_work() as (tx, now):
            found = tx.inbox.messages(rental.id, now)
            tx.inbox.mark_read(rental.id, now)
            return found

    def extend(self, apikey: str, rental_id: int, provider: str, days: int, *, windowed: bool) -> Rental:
        """Add ``days``; ``windowed`` applies the prolong window and the guaranteed maximum term."""
        with self.unit_of_work(apikey) as (tx, now):
            rental = self._owned(tx, apikey, rental_id, provider, now, Action.PROLONG if windowed else Action.EXTEND,
                                 days=days)
            price = sum((o.extension_price(days) for o in self._offers(tx, rental)), Decimal(0))
            accounts.charge(tx, apikey, price, now=now, rental_id=rental_id, memo=f"extend {days} days")
            tx.rentals.update(rental_id, expires_at=rental.expires_at + days * DAY, days=rental.days + days)
            return self._get(tx, rental_id, now)

    def prolong_limits(self, rental: Rental, now: int) -> tuple[bool, int, int]:
        """(can prolong now, max further days, latest possible expiry); ``guards`` refuses a prolong breaking them."""
        in_window, max_days = guards.prolong_window(rental, now, self.settings)
        return in_window and max_days > 0, max_days, rental.expires_at + max_days * DAY

    def close(self, apikey: str, rental_id: int, provider: str, *, reason: CloseReason) -> Rental:
        """End a rental; it is refunded only if it never received an SMS."""
        with self.unit_of_work(apikey) as (tx, now):
            rental = self._owned(tx, apikey, rental_id, provider, now, Action.CLOSE)
            return self._close(tx, rental, at=now, reason=reason, refund=not rental.confirmed)

    def reload_port(self, apikey: str, rental_id: int, provider: str) -> Rental:
        with self.unit_of_work(apikey) as (tx, now):
            self._owned(tx, apikey, rental_id, provider, now, Action.RELOAD_PORT)
            tx.rentals.update(rental_id, reload_at=now)
            return self._get(tx, rental_id, now)

    def unfreeze(self, apikey: str, rental_id: int, provider: str) -> Rental:
        with self.unit_of_work(apikey) as (tx, now):
            self._owned(tx, apikey, rental_id, provider, now, Action.UNFREEZE)
            tx.rentals.update(rental_id, frozen=False)
            return self._get(tx, rental_id, now)

    def activate(self, apikey: str, rental_id: int, provider: str) -> Rental:
        """Queue the number for switching on; a number already activating or online is left as it is."""
        with self.unit_of_work(apikey) as (tx, now):
            rental = self._owned(tx, apikey, rental_id, provider, now, Action.ACTIVATE)
            if rental.line_state(now) is LineState.OFFLINE:
                online_from = now + self.settings.activation_delay
                tx.rentals.update(rental_id, online_from=online_from,
                                  online_until=online_from + self.settings.online_window,
                                  last_online=rental.last_online(now) or None)
                self._script_sms(tx, rental, online_from, until=online_from + self.settings.online_window)
            return self._get(tx, rental_id, now)

    def add_service(self, apikey: str, rental_id: int, provider: str, service: str, days: int) -> Rental:
        with self.unit_of_work(apikey) as (tx, now):
            rental = self._owned(tx, apikey, rental_id, provider, now, Action.ADD_SERVICE, service=service)
            price = self.catalog(tx).offer(provider, rental.country, service).price(days)
            # the number now also serves this service: it leaves that stock (and returns to it on close)
            stock.take(tx, provider, rental.country, (service,), rental.period, rental.operator)
            accounts.charge(tx, apikey, price, now=now, rental_id=rental_id, memo=f"add {service} for {days} days")
            tx.rentals.update(rental_id, services=(*rental.services, service))
            return self._get(tx, rental_id, now)

    # -- archive and restore --------------------------------------------------------------------

    def history(self, apikey: str, provider: str, *, skip: int, take: int) -> list[Rental]:
        with self.view(apikey) as v:
            return v.tx.rentals.archived_for(apikey, provider, v.now, skip=skip, take=take)

    def restore_quote(self, apikey: str, rental_id: int, provider: str) -> Quote:
        with self.view() as v:
            return self._quote(v.tx, apikey, rental_id, provider, v.now)

    def _quote(self, tx: Tx, apikey: str, rental_id: int, provider: str, now: int) -> Quote:
        return archive.quote(tx, self.settings, apikey, rental_id, provider, now, lambda r: self._offers(tx, r))

    def restore(self, apikey: str, rental_id: int, provider: str) -> Rental:
        with self.unit_of_work(apikey) as (tx, now):
            self._require(tx, apikey, now)
            quote = self._quote(tx, apikey, rental_id, provider, now)
            try:
                accounts.charge(tx, apikey, quote.price, now=now, rental_id=rental_id, memo="restore")
            except InsufficientBalance:
                raise InsufficientBalance(quote.price) from None
            rental, added = quote.rental, quote.overdue_days + quote.prepaid_days
            tx.rentals.update(rental_id, closed_at=None, close_reason=None, online_from=None, online_until=None,
                              last_online=rental.last_online(now) or None,
                              expires_at=rental.expires_at + added * DAY, days=rental.days + added)
            stock.give_back(tx, rental.provider, rental.country, rental.services, rental.period, rental.operator,
                            delta=-1)
            return self._get(tx, rental_id, now)

    # -- messages arriving ----------------------------------------------------------------------

    def deliver_sms(self, number: str, text: str, *, sender: str = "", service: str = "",
                    code: str | None = None) -> Delivery:
        """An SMS sent to a full number now: kept by the rental holding it, if that rental can receive."""
        with self.unit_of_work() as (tx, now):
            rental = self._holder(tx, number, now)
            if rental is None:
                return Delivery(False, None, "no open rental holds this number")
            if not rental.can_receive(now):
                state = "frozen" if rental.frozen else str(rental.line_state(now))
                return Delivery(False, rental.id, f"the number is {state}; it receives SMS only while online",
                                provider=rental.provider)
            message = inbox.store(tx, rental.id, sender=sender, service=service, text=text, code=code, at=now)
            return Delivery(True, rental.id, "delivered", message, rental.provider)

    def _holder(self, tx: Tx, number: str, now: int) -> Rental | None:
        for dial in sorted({c.dial for c in self.catalog(tx).countries.values()}, key=len, reverse=True):
            if number.startswith(dial) and (rental := tx.rentals.holding(dial, number[len(dial):], now)):
                return rental
        return None

    def stock(self, provider: str, country: str | None = None) -> list[stock.StockRow]:
        with self.view() as v:
            return v.stock(provider, country)

    def audit(self) -> list[str]:
        """Accounts whose balance disagrees with their ledger (always empty unless something is broken)."""
        return self.store.current().accounts.audit()
