"""The whole state as one JSON document (export, import) and resets into a named scenario.

A document holds the clock (``now``, mode, scale), the seed, the catalog, the runtime setting
overrides and every table row as stored (money in integer units of 1/10000). Importing it replaces
everything in one transaction and re-checks that every balance equals the sum of its ledger.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import replace
from decimal import Decimal
from typing import Any

from fixtures import SmsFaker
from fixtures.scenarios import SCENARIOS

from . import accounts, clock
from .admin import AdminError, bump, effective_settings, patch_rental, put_account, settings_overrides, store_settings
from .catalog import Catalog
from .rentals import CloseReason
from .settings import Settings
from .world import TABLES, RentRequest, World

VERSION = 1
# transient: the throttle is real-time bookkeeping for rate limits, not part of a situation
STATE_TABLES = tuple(t for t in TABLES if t != "throttle")
DEFAULT_KEY = "test-key"


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def export_state(world: World, *, extra_tables: tuple[str, ...] = ()) -> dict[str, Any]:
    with world.write() as (db, now):
        state = clock.ClockState.from_json(db.execute("SELECT value FROM meta WHERE key = 'clock'").fetchone()[0])
        return {
            "version": VERSION,
            "clock": {"now": now, "mode": state.mode, "scale": state.scale},
            "seed": int(world.store.get_meta("seed") or 0),
            "settings": settings_overrides(db),
            "catalog": world.catalog(db).data,
            "tables": {t: [dict(r) for r in db.execute(f"SELECT * FROM {t}")] for t in (*STATE_TABLES, *extra_tables)},
        }


def import_state(world: World, base: Settings, document: dict[str, Any], *,
                 extra_tables: tuple[str, ...] = ()) -> None:
    """Replace the whole state with ``document`` (as ``export_state`` made it); all or nothing."""
    if document.get("version") != VERSION:
        raise AdminError(f"unsupported state version {document.get('version')!r}; this mock writes {VERSION}",
                         "version")
    tables = document.get("tables", {})
    known = (*STATE_TABLES, *extra_tables)
    unknown = sorted(set(tables) - set(known))
    if unknown:
        raise AdminError(f"unknown table {unknown[0]!r}; known: {', '.join(known)}", f"tables.{unknown[0]}")
    overrides = dict(document.get("settings") or {})
    try:
        Catalog(document["catalog"])
        state = clock.initial(document["clock"]["mode"], start=document["clock"]["now"],
                              scale=document["clock"].get("scale", 1.0))
        effective = effective_settings(base, overrides)
    except (KeyError, TypeError, ValueError) as exc:
        raise AdminError(f"invalid clock, catalog or settings: {exc!r}", "catalog") from None
    with world.store.write() as db:
        for table in (*known, "throttle"):
            db.execute(f"DELETE FROM {table}")
        for table, rows in tables.items():
            columns = _columns(db, table)
            for i, row in enumerate(rows):
                extra = sorted(set(row) - set(columns))
                if extra:
                    raise AdminError(f"{table} has no column {extra[0]!r}", f"tables.{table}.{i}.{extra[0]}")
                names = list(row)
                try:
                    db.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                               [row[n] for n in names])
                except sqlite3.Error as exc:
                    raise AdminError(f"{table} row {i}: {exc}", f"tables.{table}.{i}") from None
        broken = accounts.audit(db)
        if broken:
            raise AdminError(f"the balance of {broken[0]!r} is not the sum of its ledger", "tables.accounts")
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('clock', ?)", (state.to_json(),))
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('seed', ?)", (str(int(document.get("seed", 0))),))
        world.put_catalog(db, document["catalog"])
        store_settings(db, overrides)
        bump(db, "faults_rev")
    world.settings = effective


def reset(world: World, base: Settings, *, seed: int, clock_state: clock.ClockState, scenario: str | None = None,
          apikey: str = DEFAULT_KEY) -> None:
    """Fresh state on ``clock_state``, then the named scenario played for ``apikey``."""
    if scenario is not None and scenario not in SCENARIOS:
        raise AdminError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}", "scenario")
    world.reset(seed=seed, clock_state=clock_state)
    with world.store.write() as db:
        store_settings(db, {})
    world.settings = base
    stage = Stage(world, apikey)
    start = stage.now()
    # a scenario is staged with the transient rules off, so it plays the same whatever the server's settings
    world.settings = replace(base, rent_rate_limit=0, duplicate_window=0.0, failure_rate=0.0, auto_sms=0)
    try:
        SCENARIOS[scenario or "fresh"](stage)
    finally:
        world.settings = base
    if stage.now() < start:
        stage.advance(start - stage.now())


class Stage:
    """The moves a scenario in ``fixtures/scenarios.py`` may make (it imports nothing of the server)."""

    def __init__(self, world: World, apikey: str) -> None:
        self.world, self.apikey = world, apikey
        self.settings = world.settings
        self._faker = SmsFaker(int(world.store.get_meta("seed") or 0))

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
        with self.world.store.write() as db:
            db.execute("UPDATE stock SET count = 0")

    def rent(self, provider: str, country: str, days: int, *, service: str = "", auto_renew: bool = False) -> int:
        if provider == "onlinesim":
            req = RentRequest(provider, country, days, period=days, auto_renew=auto_renew, guarded=True)
        else:
            req = RentRequest(provider, country, days, services=(service,), needs_activation=True)
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
        reason = CloseReason.CLOSED if provider == "onlinesim" else CloseReason.DELETED
        self.world.close(self.apikey, rental_id, provider, reason=reason)

    def retire(self, rental_id: int) -> None:
        patch_rental(self.world, rental_id, gone=True)

    def _provider(self, rental_id: int) -> str:
        row = self.world.store.db.execute("SELECT provider FROM rentals WHERE id = ?", (rental_id,)).fetchone()
        return str(row[0])


__all__ = ["DEFAULT_KEY", "Stage", "export_state", "import_state", "reset"]
