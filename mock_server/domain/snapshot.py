"""The whole state as one JSON document (export, import) and resets into a named scenario.

A document holds the clock (``now``, mode, scale), the seed, the catalog, the runtime setting
overrides and every table row as stored (money in integer units of 1/10000). Importing it checks
the document as a whole first (``schemas/control/state.json`` for types and ranges, ``check_document``
for the clock, catalog, settings and references), then replaces everything in one transaction and
re-checks there that every balance equals the sum of its ledger.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from . import clock
from .admin import SETTING_NAMES, AdminError, effective_settings, patch_rental, put_account
from .catalog_edit import check_catalog
from .ports import RowRejected
from .catalog import PERIODS
from .settings import Settings
from .world import TABLES, RentRequest, World

Scenario = Callable[["Stage"], None]

VERSION = 1
# transient: the throttle is real-time bookkeeping for rate limits, not part of a situation
STATE_TABLES = tuple(t for t in TABLES if t != "throttle")
DEFAULT_KEY = "test-key"


def export_state(world: World, *, extra_tables: tuple[str, ...] = ()) -> dict[str, Any]:
    with world.unit_of_work() as (tx, now):
        state = clock.ClockState.from_json(tx.meta.get("clock") or "")
        return {
            "version": VERSION,
            "clock": {"now": now, "mode": state.mode, "scale": state.scale},
            "seed": int(tx.meta.get("seed") or 0),
            "settings": tx.meta.settings_overrides(),
            "catalog": world.catalog(tx).data,
            "tables": {t: tx.snapshot.rows(t) for t in (*STATE_TABLES, *extra_tables)},
        }


def import_state(world: World, base: Settings, document: dict[str, Any], *, extra_tables: tuple[str, ...] = (),
                 row_checks: Mapping[str, Callable[[dict[str, Any]], None]] | None = None) -> None:
    """Replace the whole state with ``document`` (as ``export_state`` made it); all or nothing.

    The document is checked as a whole before the transaction (``check_document``); ``row_checks``
    adds a check per row for the extra tables (the fault rules' actions)."""
    if isinstance(document.get("catalog"), dict):  # a document made before markets said their pricing
        document = {**document, "catalog": world.with_pricing(document["catalog"])}
    state, effective = check_document(document, base, known_tables=(*STATE_TABLES, *extra_tables),
                                      row_checks=row_checks or {})
    tables = document.get("tables", {})
    with world.store.unit_of_work() as tx:
        tx.snapshot.wipe((*STATE_TABLES, *extra_tables, "throttle"))
        for table, rows in tables.items():
            try:
                tx.snapshot.insert(table, rows)
            except RowRejected as exc:
                where = f"tables.{table}.{exc.index}" + ("" if exc.column is None else f".{exc.column}")
                raise AdminError(exc.message, where) from None
        broken = tx.accounts.audit()
        if broken:
            raise AdminError(f"the balance of {broken[0]!r} is not the sum of its ledger", "tables.accounts")
        tx.meta.put("clock", state.to_json())
        tx.meta.put("seed", str(int(document.get("seed", 0))))
        tx.meta.put_catalog(document["catalog"])
        tx.meta.put_settings_overrides(dict(document.get("settings") or {}))
        tx.meta.bump("faults_rev")
    world.settings = effective


MAX_LEDGER_UNITS = 2**62  # the absolute amounts of one account's ledger: no SUM() of them can overflow


def check_document(document: dict[str, Any], base: Settings, *, known_tables: tuple[str, ...],
                   row_checks: Mapping[str, Callable[[dict[str, Any]], None]]) -> tuple[clock.ClockState, Settings]:
    """Everything an import needs that its row schemas cannot say: a valid clock, catalog and settings,
    and rows that refer only to what the document itself holds. Returns the clock and the settings."""
    if document.get("version") != VERSION:
        raise AdminError(f"unsupported state version {document.get('version')!r}; this mock writes {VERSION}",
                         "version")
    tables: dict[str, list[dict[str, Any]]] = document.get("tables", {})
    unknown = sorted(set(tables) - set(known_tables))
    if unknown:
        raise AdminError(f"unknown table {unknown[0]!r}; known: {', '.join(known_tables)}", f"tables.{unknown[0]}")
    try:
        check_catalog(document["catalog"])
    except (KeyError, ValueError) as exc:
        raise AdminError(f"invalid catalog: {exc}", "catalog") from None
    try:
        when = clock.check_time(document["clock"]["now"], "clock.now")
        state = clock.initial(document["clock"]["mode"], start=when, scale=document["clock"].get("scale", 1.0))
    except (KeyError, TypeError, ValueError) as exc:
        raise AdminError(f"invalid clock: {exc}", "clock") from None
    overrides = dict(document.get("settings") or {})
    unknown = sorted(set(overrides) - set(SETTING_NAMES))
    if unknown:
        raise AdminError(f"unknown setting {unknown[0]!r}; known: {', '.join(SETTING_NAMES)}", f"settings.{unknown[0]}")
    try:
        effective = effective_settings(base, overrides)
    except ValueError as exc:
        raise AdminError(f"invalid settings: {exc}", "settings") from None
    _check_references(tables, set(document["catalog"].get("countries", {})))
    for table, check in row_checks.items():
        for i, row in enumerate(tables.get(table, ())):
            try:
                check(row)
            except ValueError as exc:
                raise AdminError(f"{table} row {i}: {exc}", f"tables.{table}.{i}") from None
    return state, effective


def _check_references(tables: dict[str, list[dict[str, Any]]], countries: set[str]) -> None:
    """Ledger and rental rows name an account of the document, SMS and charges a rental of it, each
    balance is the sum of its ledger, and rentals and stock are in countries the catalog knows."""
    keys = {row["apikey"] for row in tables.get("accounts", ())}
    owners = {row["id"]: row["apikey"] for row in tables.get("rentals", ()) if "id" in row}
    for i, row in enumerate(tables.get("rentals", ())):
        if row["apikey"] not in keys:
            raise AdminError(f"rental row {i} belongs to no account of the state", f"tables.rentals.{i}.apikey")
        if row["country"] not in countries:
            raise AdminError(f"rental row {i} is in a country the catalog lacks", f"tables.rentals.{i}.country")
    for i, row in enumerate(tables.get("stock", ())):
        if row["country"] not in countries:
            raise AdminError(f"stock row {i} is in a country the catalog lacks", f"tables.stock.{i}.country")
    for i, row in enumerate(tables.get("sms", ())):
        if row["rental_id"] not in owners:
            raise AdminError(f"sms row {i} is for no rental of the state", f"tables.sms.{i}.rental_id")
    sums: dict[str, int] = dict.fromkeys(keys, 0)
    sizes: dict[str, int] = dict.fromkeys(keys, 0)
    for i, row in enumerate(tables.get("ledger", ())):
        key, rental = row["apikey"], row.get("rental_id")
        if key not in keys:
            raise AdminError(f"ledger row {i} belongs to no account of the state", f"tables.ledger.{i}.apikey")
        if rental is not None and owners.get(rental) != key:
            raise AdminError(f"ledger row {i} is for no rental of its account", f"tables.ledger.{i}.rental_id")
        sums[key] += row["amount"]
        sizes[key] += abs(row["amount"])
    for i, row in enumerate(tables.get("accounts", ())):
        key = row["apikey"]
        if sizes[key] > MAX_LEDGER_UNITS:
            raise AdminError(f"the ledger of account row {i} is too large", f"tables.accounts.{i}")
        if row.get("balance", 0) != sums[key]:
            raise AdminError(f"the balance of account row {i} is not the sum of its ledger", "tables.accounts")


def reset(world: World, base: Settings, *, seed: int, clock_state: clock.ClockState,
          scenarios: Mapping[str, Scenario], scenario: str | None = None, apikey: str = DEFAULT_KEY) -> None:
    """Fresh state on ``clock_state``, then the named scenario (of ``scenarios``, ``fresh`` by default)
    played for ``apikey``."""
    if scenario is not None and scenario not in scenarios:
        raise AdminError(f"unknown scenario {scenario!r}; known: {', '.join(scenarios)}", "scenario")
    world.reset(seed=seed, clock_state=clock_state)
    with world.store.unit_of_work() as tx:
        tx.meta.put_settings_overrides({})
    world.settings = base
    stage = Stage(world, apikey)
    start = stage.now()
    # a scenario is staged with the transient rules off, so it plays the same whatever the server's settings
    world.settings = replace(base, rent_rate_limit=0, duplicate_window=0.0, failure_rate=0.0, auto_sms=0)
    try:
        scenarios[scenario or "fresh"](stage)
    finally:
        world.settings = base
    if stage.now() < start:
        stage.advance(start - stage.now())


class Stage:
    """The moves a scenario in ``fixtures/scenarios.py`` may make (it imports nothing of the server)."""

    def __init__(self, world: World, apikey: str) -> None:
        self.world, self.apikey = world, apikey
        self.settings = world.settings
        self._faker = world.faker()

    def now(self) -> int:
        return self.world.now()

    def set_clock(self, when: int) -> None:
        """Put the clock anywhere, even back: only for staging a history right after a reset."""
        self.world.change_clock(lambda s: replace(s, anchor_sim=float(when), anchor_real=time.time()))

    def advance(self, seconds: int) -> None:
        self.world.change_clock(lambda s: clock.advanced(s, seconds))

    def account(self, *, balance: Decimal | str | None = None, max_concurrent: int | None = None) -> None:
        put_account(self.world, self.apikey, balance=None if balance is None else Decimal(str(balance)),
                    **({} if max_concurrent is None else {"max_concurrent": max_concurrent}))

    def empty_stock(self) -> None:
        with self.world.store.unit_of_work() as tx:
            tx.stock.empty_all()

    def rent(self, provider: str, country: str, days: int, *, service: str = "", auto_renew: bool = False) -> int:
        market = self.world.markets[provider]
        if market.pricing == PERIODS:
            req = RentRequest(provider, country, days, period=days, auto_renew=auto_renew, guarded=market.guarded,
                              needs_activation=market.needs_activation)
        else:
            req = RentRequest(provider, country, days, services=(service,), guarded=market.guarded,
                              needs_activation=market.needs_activation)
        return self.world.rent(self.apikey, req).id

    def activate(self, rental_id: int) -> None:
        """Switch the number on and wait out the activation queue (it is online afterwards)."""
        self.world.activate(self.apikey, rental_id, self._provider(rental_id))
        self.advance(self.world.settings.activation_delay)

    def sms(self, rental_id: int, service_name: str = "Telegram") -> None:
        """A realistic code SMS to the rental's number now (from its SMSPVA service, or ``service_name``)."""
        found = self.world.rental(self.apikey, rental_id, self._provider(rental_id))
        name, sender, service = service_name, service_name, service_name
        if found.services:
            entry = self.world.catalog().data.get(found.provider, {}).get("services", {}).get(found.services[0], {})
            name, sender, service = entry.get("name", name), entry.get("sender", name), found.services[0]
        text, code = self._faker.code_sms(name, "stage", rental_id, self.now())
        delivery = self.world.deliver_sms(found.number, text, sender=sender, service=service, code=code)
        if not delivery.delivered:
            raise RuntimeError(f"scenario SMS to rental {rental_id} not delivered: {delivery.reason}")

    def close(self, rental_id: int) -> None:
        provider = self._provider(rental_id)
        self.world.close(self.apikey, rental_id, provider, reason=self.world.markets[provider].closed_as)

    def retire(self, rental_id: int) -> None:
        patch_rental(self.world, rental_id, gone=True)

    def _provider(self, rental_id: int) -> str:
        return str(self.world.store.current().rentals.provider_of(rental_id))


__all__ = ["DEFAULT_KEY", "Stage", "export_state", "import_state", "reset"]
