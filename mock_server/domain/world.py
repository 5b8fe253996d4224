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
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fixtures import SmsFaker, load_catalog

from ..store import FIRST_RENTAL_ID, Store
from . import accounts, archive, clock, guards, inbox, rentals, stock, throttle
from .archive import Quote
from .catalog import Catalog, Offer
from .errors import (IdentificationRequired, InsufficientBalance, MissingKey, OutOfStock, RentalError, TooManyRentals,
                     TryAgainLater, UnknownKey)
from .guards import Action, Facts
from .rentals import DAY, CloseReason, Rental
from .settings import Settings

TABLES = ("accounts", "ledger", "stock", "rentals", "sms", "retired_numbers", "throttle")
DUE = "SELECT 1 FROM rentals WHERE closed_at IS NULL AND due_at <= ? LIMIT 1"  # uses the partial index rentals_due
_NO_KEY = object()


@dataclass(frozen=True, slots=True)
class RentRequest:
    """What to rent. ``period`` is the stock bucket (a tariff's days, or 0 where stock has no period)."""

    provider: str
    country: str
    days: int
    services: tuple[str, ...] = ("",)
    operator: str | None = None
    period: int = 0
    auto_renew: bool = False
    guarded: bool = False
    needs_activation: bool = False
    fingerprint: str = ""


@dataclass(frozen=True, slots=True)
class Delivery:
    delivered: bool
    rental_id: int | None
    reason: str
    message: inbox.Message | None = None


def owned(db: sqlite3.Connection, apikey: str | None, rental_id: int, provider: str, now: int,
          action: Action = Action.VIEW, facts: Facts | None = None) -> Rental:
    """A rental of this key and provider that ``action`` may act on (``guards``); another key's is refused,
    never shown."""
    return guards.check(action, rentals.get(db, rental_id, now), facts or Facts(apikey, provider, now))


@dataclass(frozen=True, slots=True)
class View:
    """One request's read of the world: a snapshot connection, `now` fixed once, the catalog and settings,
    and the key's account when the view was opened for one. Valid only inside ``with world.view()``."""

    db: sqlite3.Connection
    now: int
    catalog: Catalog
    settings: Settings
    account: accounts.Account | None = None

    @property
    def apikey(self) -> str | None:
        return None if self.account is None else self.account.apikey

    def rental(self, rental_id: int, provider: str) -> Rental:
        """One rental of the view's key, open or not (another key's is ``NotOwner``)."""
        return owned(self.db, self.apikey, rental_id, provider, self.now)

    def open_rentals(self, provider: str) -> list[Rental]:
        return rentals.open_for(self.db, self.apikey or "", provider, self.now) if self.apikey else []

    def messages(self, rental: Rental) -> list[inbox.Message]:
        return inbox.messages(self.db, rental.id, self.now)

    def messages_of(self, found: list[Rental]) -> dict[int, list[inbox.Message]]:
        """Messages of several rentals at once (one query), keyed by rental id, newest first."""
        return inbox.messages_of(self.db, [r.id for r in found], self.now)

    def stock(self, provider: str, country: str | None = None) -> list[stock.StockRow]:
        return stock.rows(self.db, provider, country)

    def frozen_balance(self) -> Decimal:
        """Money held by the key's OnlineSim rentals still inside their refundable guard window."""
        return sum((r.paid for r in self.open_rentals("onlinesim") if r.guarding(self.now)), Decimal(0))


class World:
    """Rentals, balances, messages and the clock over one store."""

    def __init__(self, store: Store, settings: Settings | None = None, *, seed: int = 0, clock_mode: str | None = None,
                 time_scale: float = 1.0, start_time: float | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
        self._rng = random.Random(seed)
        self._cache: dict[str, Any] = {}
        with store.write() as db:
            if self._meta(db, "clock") is None:
                self._wipe(db, seed=seed, clock_state=clock.initial(clock_mode or "real", start=start_time,
                                                                     scale=time_scale))
            elif clock_mode is not None:
                self._put_meta(db, "clock", clock.switched(self._clock(db), clock_mode, time_scale).to_json())

    # -- state plumbing -------------------------------------------------------------------------

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @staticmethod
    def _put_meta(db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def _cached(self, key: str, raw: str, build: Any) -> Any:
        hit = self._cache.get(key)
        if hit is None or hit[0] != raw:
            hit = self._cache[key] = (raw, build(raw))
        return hit[1]

    def _clock(self, db: sqlite3.Connection) -> clock.ClockState:
        return self._cached("clock", self._meta(db, "clock") or "", clock.ClockState.from_json)

    def catalog(self, db: sqlite3.Connection | None = None) -> Catalog:
        db = db or self.store.db
        rev = self._meta(db, "catalog_rev") or ""
        return self._cached("catalog", rev, lambda _: Catalog(json.loads(self._meta(db, "catalog") or "{}")))

    def _faker(self, db: sqlite3.Connection) -> SmsFaker:
        return self._cached("faker", self._meta(db, "seed") or "0", lambda raw: SmsFaker(int(raw)))

    def _wipe(self, db: sqlite3.Connection, *, seed: int, clock_state: clock.ClockState,
              catalog_data: dict[str, Any] | None = None) -> None:
        for table in TABLES:
            db.execute(f"DELETE FROM {table}")
        data = catalog_data if catalog_data is not None else load_catalog()
        self._put_meta(db, "clock", clock_state.to_json())
        self._put_meta(db, "seed", str(seed))
        self.put_catalog(db, data)
        stock.fill(db, Catalog(data).initial_stock())
        self._rng.seed(seed)

    def put_catalog(self, db: sqlite3.Connection, data: dict[str, Any]) -> None:
        self._put_meta(db, "catalog", json.dumps(data, ensure_ascii=False))
        self._put_meta(db, "catalog_rev", str(int(self._meta(db, "catalog_rev") or 0) + 1))

    @contextmanager
    def write(self) -> Iterator[tuple[sqlite3.Connection, int]]:
        """One transaction with the clock read and due events settled: ``with world.write() as (db, now)``."""
        with self.store.write() as db:
            now = self._clock(db).now()
            self._settle(db, now)
            yield db, now

    def read(self) -> tuple[sqlite3.Connection, int]:
        """A connection and `now` for reading, after settling anything due."""
        db = self.store.db
        now = self._clock(db).now()
        if db.execute("SELECT 1 FROM rentals WHERE closed_at IS NULL AND due_at <= ? LIMIT 1", (now,)).fetchone():
            with self.write():
                pass
        return db, now

    @contextmanager
    def view(self, apikey: Any = _NO_KEY) -> Iterator[View]:
        """One read transaction for a whole request (see the module docstring). With ``apikey`` the
        key's account is checked first (missing, unknown when strict, blocked) and created on first use."""
        if self.store.db.in_transaction:  # called inside this thread's write: read within it
            db = self.store.db
            now = self._clock(db).now()
            account = None if apikey is _NO_KEY else self._require(db, apikey, now)
            yield View(db, now, self.catalog(db), self.settings, account)
            return
        with self.store.read() as db:
            now = self._clock(db).now()
            if apikey is _NO_KEY:
                account, ready = None, True
            else:
                if not apikey:
                    raise MissingKey()
                account = accounts.load(db, apikey)
                if account is None and self.settings.strict_keys:
                    raise UnknownKey()
                ready = account is not None
            if ready and db.execute(DUE, (now,)).fetchone() is None:
                yield View(db, now, self.catalog(db), self.settings, account and accounts.check(account))
                return
        with self.store.write() as db:  # the slow path: settle what fell due, create the account
            self._settle(db, now)
            if apikey is not _NO_KEY and accounts.load(db, apikey) is None:
                self._require(db, apikey, now)
        with self.store.read() as db:
            account = None if apikey is _NO_KEY else accounts.load(db, apikey)
            yield View(db, now, self.catalog(db), self.settings, account and accounts.check(account))

    # -- clock ----------------------------------------------------------------------------------

    def now(self) -> int:
        return self._clock(self.store.db).now()

    def clock_state(self) -> clock.ClockState:
        return self._clock(self.store.db)

    def change_clock(self, change: Any) -> clock.ClockState:
        """Apply ``change(state) -> state`` (advance, set, switch) atomically, then settle what fell due."""
        with self.store.write() as db:
            state = change(self._clock(db))
            self._put_meta(db, "clock", state.to_json())
        self.read()
        return state

    def reset(self, *, seed: int = 0, catalog_data: dict[str, Any] | None = None,
              clock_state: clock.ClockState | None = None) -> None:
        with self.store.write() as db:
            self._wipe(db, seed=seed, clock_state=clock_state or self._clock(db), catalog_data=catalog_data)

    # -- settling due events --------------------------------------------------------------------

    def _settle(self, db: sqlite3.Connection, now: int) -> None:
        """Apply due events one at a time in the order they happened, across all rentals, so that
        renewals competing for one balance are charged chronologically."""
        while (due := db.execute("SELECT id FROM rentals WHERE closed_at IS NULL AND due_at <= ? "
                                 "ORDER BY due_at, id LIMIT 1", (now,)).fetchone()) is not None:
            self._settle_step(db, due[0], now)

    def _settle_step(self, db: sqlite3.Connection, rental_id: int, now: int) -> None:
        """One due event of one rental: its guard window ending, or its expiry (renewed or not)."""
        rental = self._get(db, rental_id, now)
        guard = rental.guard_until
        if guard is not None and guard <= now:
            if db.execute("SELECT 1 FROM sms WHERE rental_id = ? AND at <= ? LIMIT 1", (rental_id, guard)).fetchone():
                rentals.update(db, rental_id, guard_until=None)
            else:
                self._close(db, rental, at=guard, reason=CloseReason.UNCONFIRMED, refund=True)
        elif not (rental.auto_renew and self._renew(db, rental)):
            self._close(db, rental, at=rental.expires_at, reason=CloseReason.EXPIRED, refund=False)

    def _renew(self, db: sqlite3.Connection, rental: Rental) -> bool:
        days = self.settings.renew_days
        try:
            price = sum((o.extension_price(days) for o in self._offers(db, rental)), Decimal(0))
            accounts.charge(db, rental.apikey, price, now=rental.expires_at, rental_id=rental.id, memo=f"auto-renew {days} days")
        except RentalError:
            return False
        rentals.update(db, rental.id, expires_at=rental.expires_at + days * DAY, days=rental.days + days)
        return True

    def _close(self, db: sqlite3.Connection, rental: Rental, *, at: int, reason: CloseReason, refund: bool) -> None:
        rentals.update(db, rental.id, closed_at=at, close_reason=str(reason), guard_until=None)
        db.execute("DELETE FROM sms WHERE rental_id = ? AND at > ?", (rental.id, at))  # scripted, never arrived
        if refund:
            accounts.refund_rental(db, rental.apikey, rental.id, now=at, memo=f"refund: {reason}")
        stock.give_back(db, rental.provider, rental.country, rental.services, rental.period, rental.operator)

    def _offers(self, db: sqlite3.Connection, rental: Rental) -> list[Offer]:
        catalog = self.catalog(db)
        return [catalog.offer(rental.provider, rental.country, s) for s in rental.services or ("",)]

    # -- accounts -------------------------------------------------------------------------------

    def account(self, apikey: str | None) -> accounts.Account:
        """The key's account (created with the starting balance on first use unless keys are strict)."""
        db = self.store.db
        existing = accounts.load(db, apikey) if apikey else None
        if existing is not None:
            return accounts.check(existing)
        with self.write() as (db, now):
            return self._require(db, apikey, now)

    def _require(self, db: sqlite3.Connection, apikey: str | None, now: int) -> accounts.Account:
        s = self.settings
        return accounts.require(db, apikey, strict=s.strict_keys, start_balance=s.start_balance, now=now)

    def ledger(self, apikey: str, *, limit: int = 1000) -> list[accounts.LedgerEntry]:
        """The key's ledger rows, newest first."""
        return accounts.ledger(self.store.db, apikey, limit=limit)

    def frozen_balance(self, apikey: str) -> Decimal:
        """Money held by rentals still inside their refundable guard window."""
        with self.view(apikey) as v:
            return v.frozen_balance()

    # -- renting --------------------------------------------------------------------------------

    def rent(self, apikey: str | None, req: RentRequest) -> Rental:
        self._throttle(apikey, req)
        with self.write() as (db, now):
            account = self._require(db, apikey, now)
            if account.restriction == "identification_required":
                raise IdentificationRequired()
            catalog = self.catalog(db)
            country = catalog.country(req.country)
            price = sum((catalog.offer(req.provider, req.country, s).price(req.days) for s in req.services), Decimal(0))
            limit = self.settings.max_concurrent if account.max_concurrent is None else account.max_concurrent
            if rentals.count_open(db, account.apikey) >= limit:
                raise TooManyRentals()
            operator = stock.take(db, req.provider, req.country, req.services, req.period, req.operator)
            rental_id = rentals.next_id(db, FIRST_RENTAL_ID)
            phone = self._free_number(db, country.dial, country.pattern, rental_id)
            db.execute(
                "INSERT INTO rentals(id, apikey, provider, country, dial, phone, services, operator, period, days, "
                "auto_renew, needs_activation, created_at, expires_at, guard_until, due_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (rental_id, account.apikey, req.provider, req.country, country.dial, phone, ",".join(req.services),
                 operator, req.period, req.days, int(req.auto_renew), int(req.needs_activation), now,
                 now + req.days * DAY, now + self.settings.guard_seconds if req.guarded else None,
                 rentals.due_at(now + self.settings.guard_seconds if req.guarded else None, now + req.days * DAY)))
            accounts.charge(db, account.apikey, price, now=now, rental_id=rental_id, memo=f"rent {req.days} days")
            rental = self._get(db, rental_id, now)
            if not req.needs_activation:
                self._script_sms(db, rental, now)
            return rental

    def _free_number(self, db: sqlite3.Connection, dial: str, pattern: str, rental_id: int) -> str:
        faker = self._faker(db)
        for attempt in range(50):
            phone = faker.national_number(pattern, rental_id, attempt)
            if not rentals.number_taken(db, dial, phone):
                return phone
        raise OutOfStock("no free number could be drawn for this country")

    def _script_sms(self, db: sqlite3.Connection, rental: Rental, ready_at: int, *, until: int | None = None) -> None:
        """With ``auto_sms`` on, a code SMS lands that many seconds after the number could first receive."""
        at = ready_at + self.settings.auto_sms
        if not self.settings.auto_sms or (until is not None and at >= until):
            return
        catalog = self.catalog(db)
        service = rental.services[0] if rental.services else ""
        name = catalog.data.get(rental.provider, {}).get("services", {}).get(service, {}).get("name", "") or "Telegram"
        text, code = self._faker(db).code_sms(name, rental.id, at)
        inbox.store(db, rental.id, sender=name, service=service or name, text=text, code=code, at=at)

    def _throttle(self, apikey: str | None, req: RentRequest) -> None:
        """Simulated failures, rate limit and duplicate window (see ``throttle``)."""
        if self.settings.failure_rate and self._rng.random() < self.settings.failure_rate:
            raise TryAgainLater()
        if apikey:
            throttle.check(self.store, self.settings, apikey, req.fingerprint)

    # -- one rental -----------------------------------------------------------------------------

    def _get(self, db: sqlite3.Connection, rental_id: int, now: int) -> Rental:
        rental = rentals.get(db, rental_id, now)
        assert rental is not None
        return rental

    def _owned(self, db: sqlite3.Connection, apikey: str | None, rental_id: int, provider: str, now: int,
               action: Action, **request: Any) -> Rental:
        """The key's account first (its refusals come before the rental's), then the action's guards."""
        self._require(db, apikey, now)
        facts = Facts(apikey, provider, now, self.settings, **request)
        return owned(db, apikey, rental_id, provider, now, action, facts)

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
        with self.write() as (db, now):
            found = inbox.messages(db, rental.id, now)
            inbox.mark_read(db, rental.id, now)
            return found

    def messages_of(self, found: list[Rental]) -> dict[int, list[inbox.Message]]:
        """Messages of several rentals at once (one query), keyed by rental id, newest first."""
        with self.view() as v:
            return v.messages_of(found)

    def extend(self, apikey: str, rental_id: int, provider: str, days: int, *, windowed: bool) -> Rental:
        """Add ``days``; ``windowed`` applies the prolong window and the guaranteed maximum term."""
        with self.write() as (db, now):
            rental = self._owned(db, apikey, rental_id, provider, now, Action.PROLONG if windowed else Action.EXTEND,
                                 days=days)
            price = sum((o.extension_price(days) for o in self._offers(db, rental)), Decimal(0))
            accounts.charge(db, apikey, price, now=now, rental_id=rental_id, memo=f"extend {days} days")
            rentals.update(db, rental_id, expires_at=rental.expires_at + days * DAY, days=rental.days + days)
            return self._get(db, rental_id, now)

    def prolong_limits(self, rental: Rental, now: int) -> tuple[bool, int, int]:
        """(can prolong now, max further days, latest possible expiry); ``guards`` refuses a prolong breaking them."""
        in_window, max_days = guards.prolong_window(rental, now, self.settings)
        return in_window and max_days > 0, max_days, rental.expires_at + max_days * DAY

    def close(self, apikey: str, rental_id: int, provider: str, *, reason: CloseReason) -> Rental:
        """End a rental; it is refunded only if it never received an SMS."""
        with self.write() as (db, now):
            rental = self._owned(db, apikey, rental_id, provider, now, Action.CLOSE)
            self._close(db, rental, at=now, reason=reason, refund=not rental.confirmed)
            return self._get(db, rental_id, now)

    def reload_port(self, apikey: str, rental_id: int, provider: str) -> Rental:
        with self.write() as (db, now):
            self._owned(db, apikey, rental_id, provider, now, Action.RELOAD_PORT)
            rentals.update(db, rental_id, reload_at=now)
            return self._get(db, rental_id, now)

    def unfreeze(self, apikey: str, rental_id: int, provider: str) -> Rental:
        with self.write() as (db, now):
            self._owned(db, apikey, rental_id, provider, now, Action.UNFREEZE)
            rentals.update(db, rental_id, frozen=0)
            return self._get(db, rental_id, now)

    def activate(self, apikey: str, rental_id: int, provider: str) -> Rental:
        """Queue the number for switching on; a number already activating or online is left as it is."""
        with self.write() as (db, now):
            rental = self._owned(db, apikey, rental_id, provider, now, Action.ACTIVATE)
            if rental.line_state(now) is rentals.LineState.OFFLINE:
                online_from = now + self.settings.activation_delay
                rentals.update(db, rental_id, online_from=online_from,
                               online_until=online_from + self.settings.online_window,
                               last_online=rental.last_online(now) or None)
                self._script_sms(db, rental, online_from, until=online_from + self.settings.online_window)
            return self._get(db, rental_id, now)

    def add_service(self, apikey: str, rental_id: int, provider: str, service: str, days: int) -> Rental:
        with self.write() as (db, now):
            rental = self._owned(db, apikey, rental_id, provider, now, Action.ADD_SERVICE, service=service)
            price = self.catalog(db).offer(provider, rental.country, service).price(days)
            # the number now also serves this service: it leaves that stock (and returns to it on close)
            stock.take(db, provider, rental.country, (service,), rental.period, rental.operator)
            accounts.charge(db, apikey, price, now=now, rental_id=rental_id, memo=f"add {service} for {days} days")
            rentals.update(db, rental_id, services=",".join((*rental.services, service)))
            return self._get(db, rental_id, now)

    # -- archive and restore --------------------------------------------------------------------

    def history(self, apikey: str, provider: str, *, skip: int, take: int) -> list[Rental]:
        with self.view(apikey) as v:
            return rentals.archived_for(v.db, apikey, provider, v.now, skip=skip, take=take)

    def restore_quote(self, apikey: str, rental_id: int, provider: str) -> Quote:
        with self.view() as v:
            return self._quote(v.db, apikey, rental_id, provider, v.now)

    def _quote(self, db: sqlite3.Connection, apikey: str, rental_id: int, provider: str, now: int) -> Quote:
        return archive.quote(db, self.settings, apikey, rental_id, provider, now, lambda r: self._offers(db, r))

    def restore(self, apikey: str, rental_id: int, provider: str) -> Rental:
        with self.write() as (db, now):
            self._require(db, apikey, now)
            quote = self._quote(db, apikey, rental_id, provider, now)
            try:
                accounts.charge(db, apikey, quote.price, now=now, rental_id=rental_id, memo="restore")
            except InsufficientBalance:
                raise InsufficientBalance(quote.price) from None
            rental, added = quote.rental, quote.overdue_days + quote.prepaid_days
            rentals.update(db, rental_id, closed_at=None, close_reason=None, online_from=None, online_until=None,
                           last_online=rental.last_online(now) or None,
                           expires_at=rental.expires_at + added * DAY, days=rental.days + added)
            stock.give_back(db, rental.provider, rental.country, rental.services, rental.period, rental.operator,
                            delta=-1)
            return self._get(db, rental_id, now)

    # -- messages arriving ----------------------------------------------------------------------

    def deliver_sms(self, number: str, text: str, *, sender: str = "", service: str = "",
                    code: str | None = None) -> Delivery:
        """An SMS sent to a full number now: kept by the rental holding it, if that rental can receive."""
        with self.write() as (db, now):
            rental = self._holder(db, number, now)
            if rental is None:
                return Delivery(False, None, "no open rental holds this number")
            if not rental.can_receive(now):
                state = "frozen" if rental.frozen else str(rental.line_state(now))
                return Delivery(False, rental.id, f"the number is {state}; it receives SMS only while online")
            message = inbox.store(db, rental.id, sender=sender, service=service, text=text, code=code, at=now)
            return Delivery(True, rental.id, "delivered", message)

    def _holder(self, db: sqlite3.Connection, number: str, now: int) -> Rental | None:
        for dial in sorted({c.dial for c in self.catalog(db).countries.values()}, key=len, reverse=True):
            if number.startswith(dial) and (rental := rentals.holding(db, dial, number[len(dial):], now)):
                return rental
        return None

    def stock(self, provider: str, country: str | None = None) -> list[stock.StockRow]:
        with self.view() as v:
            return v.stock(provider, country)

    def audit(self) -> list[str]:
        """Accounts whose balance disagrees with their ledger (always empty unless something is broken)."""
        return accounts.audit(self.store.db)
