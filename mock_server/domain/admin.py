"""What only the control API does to the world: accounts and their limits, stock, one rental's flags,
SMS delivery reports, runtime settings, and revision counters the worker processes poll (catalog
edits are in ``catalog_edit``, whole-state export, import and scenario resets in ``snapshot``).

Provider-neutral and free of Flask, like the rest of the domain. Every change is one transaction; a
balance is set by an ``adjust`` ledger row, so it always equals the sum of its ledger.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from decimal import Decimal
from typing import Any

from . import accounts, stock
from .catalog import PERIODS, Catalog
from .errors import RentalError
from .rentals import Rental
from .settings import Settings
from .world import World

RESTRICTIONS = tuple(accounts.RESTRICTIONS)
SETTING_NAMES = tuple(f.name for f in fields(Settings))
KEEP: Any = object()  # "leave this field as it is" (None is a value for some fields)


KINDS = ("invalid", "not_found", "too_large")


class AdminError(ValueError):
    """A control request the world cannot apply; ``field`` names the input at fault, ``kind`` (one of
    ``KINDS``) what went wrong, which the control API turns into its HTTP status."""

    def __init__(self, message: str, field: str | None = None, *, kind: str = "invalid") -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        super().__init__(message)
        self.message, self.field, self.kind = message, field, kind


def money(amount: Decimal) -> float:
    return float(amount)


# -- accounts ---------------------------------------------------------------------------------------

def account_view(world: World, apikey: str) -> dict[str, Any] | None:
    with world.view() as v:
        account = v.tx.accounts.load(apikey)
        if account is None:
            return None
        held, ledger, now = v.tx.rentals.of_key(apikey, v.now), v.tx.accounts.ledger(apikey), v.now
    return {
        "apikey": apikey, "balance": money(account.balance),
        "max_concurrent": world.settings.max_concurrent if account.max_concurrent is None else account.max_concurrent,
        "max_concurrent_own": account.max_concurrent, "open_rentals": sum(r.is_open for r in held),
        "blocked": account.blocked, "restriction": account.restriction, "created_at": account.created_at,
        "ledger": [{"id": e.id, "amount": money(e.amount), "kind": e.kind, "rental_id": e.rental_id, "memo": e.memo,
                    "at": e.at} for e in ledger],
        "rentals": [rental_view(r, now) for r in held],
    }


def put_account(world: World, apikey: str, *, balance: Decimal | None = None, max_concurrent: Any = KEEP,
                blocked: bool | None = None, restriction: Any = KEEP) -> bool:
    """Create or update one account; returns True when it was created."""
    if restriction is not KEEP and restriction is not None and restriction not in RESTRICTIONS:
        raise AdminError(f"restriction must be one of {', '.join(RESTRICTIONS)} or null", "restriction")
    with world.unit_of_work() as (tx, now):
        account = tx.accounts.load(apikey)
        if account is None:
            start = world.settings.start_balance if balance is None else balance
            accounts.create(tx, apikey, balance=start, now=now)
        elif balance is not None and balance != account.balance:
            accounts.post(tx, apikey, balance - account.balance, "adjust", now=now, memo="set through the control API")
        changes: dict[str, Any] = {}
        if max_concurrent is not KEEP:
            changes["max_concurrent"] = max_concurrent
        if blocked is not None:
            changes["blocked"] = blocked
        if restriction is not KEEP:
            changes["restriction"] = restriction
        tx.accounts.set_flags(apikey, **changes)
        return account is None


# -- stock ------------------------------------------------------------------------------------------

def set_stock(world: World, provider: str, country: str, count: int, *, service: str | None = None,
              period: int | None = None, operator: str | None = None) -> list[stock.StockRow]:
    """Set every matching stock row to ``count``; omitted fields match any value. A fully described row
    that does not exist yet is created (a ``periods`` market: country + period; a ``daily`` one: country +
    service + operator)."""
    with world.unit_of_work() as (tx, _now):
        catalog = world.catalog(tx)
        if catalog.pricing(provider) == PERIODS and (service or operator):
            raise AdminError(f"{provider} stock is per country and period: it has no service or operator",
                             "service" if service else "operator")
        if country not in catalog.countries:
            raise AdminError(f"country {country!r} is not in the catalog", "country")
        if not tx.stock.set_matching(count, provider, country, service=service, period=period, operator=operator):
            row = _new_stock_row(catalog, provider, country, service, period, operator)
            tx.stock.set_count(*row, count)
        return [r for r in tx.stock.rows(provider, country)
                if all(v is None or getattr(r, n) == v for n, v in
                       (("service", service), ("period", period), ("operator", operator)))]


def _new_stock_row(catalog: Catalog, provider: str, country: str, service: str | None, period: int | None,
                   operator: str | None) -> tuple[str, str, str, int, str]:
    try:
        if catalog.pricing(provider) == PERIODS:
            if period is None:
                raise AdminError("no stock rows match; give a period to create one", "period")
            catalog.offer(provider, country).price(period)
            return provider, country, "", period, ""
        if not service or not operator:
            raise AdminError("no stock rows match; give a service and an operator to create one",
                             "operator" if service else "service")
        catalog.offer(provider, country, service)
        return provider, country, service, 0, operator
    except RentalError as exc:
        raise AdminError(f"no such offer: {exc.detail}", "country") from None


# -- one rental -------------------------------------------------------------------------------------

def rental_view(rental: Rental, now: int) -> dict[str, Any]:
    """A provider-neutral description of one rental, for the control API."""
    return {
        "id": rental.id, "provider": rental.provider, "apikey": rental.apikey, "country": rental.country,
        "number": rental.number, "phone": rental.phone, "services": list(rental.services),
        "operator": rental.operator, "days": rental.days, "auto_renew": rental.auto_renew,
        "created_at": rental.created_at, "expires_at": rental.expires_at,
        "seconds_left": max(0, rental.expires_at - now), "guard_until": rental.guard_until,
        "online_from": rental.online_from, "online_until": rental.online_until, "open": rental.is_open,
        "closed_at": rental.closed_at, "close_reason": rental.close_reason, "line": str(rental.line_state(now)),
        "can_receive": rental.can_receive(now), "confirmed": rental.confirmed, "unread": rental.unread,
        "frozen": rental.frozen, "gone": rental.gone, "paid": money(rental.paid),
    }


def rental(world: World, rental_id: int) -> dict[str, Any]:
    with world.view() as v:
        found = v.tx.rentals.get(rental_id, v.now)
    if found is None:
        raise AdminError(f"no rental {rental_id}", "id", kind="not_found")
    return rental_view(found, v.now)


def patch_rental(world: World, rental_id: int, *, frozen: bool | None = None, gone: bool | None = None) -> None:
    """Freeze a rental's port, or take its number out of the system (``gone``: it is retired for good)."""
    with world.unit_of_work() as (tx, now):
        found = tx.rentals.get(rental_id, now)
        if found is None:
            raise AdminError(f"no rental {rental_id}", "id", kind="not_found")
        if frozen is not None:
            tx.rentals.update(rental_id, frozen=frozen)
        if gone is not None:
            tx.rentals.update(rental_id, gone=gone)
            if gone:
                tx.rentals.retire(found.dial, found.phone)
            else:
                tx.rentals.unretire(found.dial, found.phone)


def deliver_sms(world: World, number: str, text: str, *, sender: str = "", service: str = "",
                code: str | None = None) -> dict[str, Any]:
    """An SMS to a full number, delivered by the rules of the provider whose rental holds it."""
    delivery = world.deliver_sms(number, text, sender=sender, service=service, code=code)
    message = delivery.message
    return {"delivered": delivery.delivered, "rental_id": delivery.rental_id, "provider": delivery.provider,
            "reason": delivery.reason,
            "message": None if message is None else {"id": message.id, "code": message.code, "at": message.at}}


# -- runtime settings -------------------------------------------------------------------------------

def settings_overrides(world: World) -> dict[str, Any]:
    """The setting overrides every worker applies (as stored)."""
    return world.store.current().meta.settings_overrides()


def effective_settings(base: Settings, overrides: dict[str, Any]) -> Settings:
    return Settings.from_mapping({**asdict(base), **overrides})


def put_settings(world: World, base: Settings, changes: dict[str, Any]) -> Settings:
    """Override settings for every worker (a null value drops the override); returns the effective settings."""
    unknown = sorted(set(changes) - set(SETTING_NAMES))
    if unknown:
        raise AdminError(f"unknown setting {unknown[0]!r}; known: {', '.join(SETTING_NAMES)}", unknown[0])
    with world.store.unit_of_work() as tx:
        merged = {**tx.meta.settings_overrides(), **changes}
        merged = {k: v for k, v in merged.items() if v is not None}
        try:
            effective = effective_settings(base, merged)
        except ValueError as exc:
            raise AdminError(str(exc), next(iter(changes), None)) from None
        tx.meta.put_settings_overrides(merged)
    world.settings = effective
    return effective


def settings_view(settings: Settings) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(settings).items()}
