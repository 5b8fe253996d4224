"""SMSPVA archive: expired and deleted orders (newest first), the restore quote, and the restore.

The quote is ``outdays`` (whole days overdue, at least 1) plus ``RESTORE_PREPAID_DAYS`` (30), at the
full daily price of every service of the order, without discount. Every refusal is the domain's,
mapped to SMSPVA's restore codes in ``smspva.RESTORE_CODES``.
"""

from __future__ import annotations

from typing import Any

from ..exchange import Reply

from ..domain import Rental, World, errors
from .smspva_common import PROVIDER, documented, money, ok, service_names


def _branch(world: World, rental: Rental) -> int:
    """A stable number for the operator branch the order's number came from (1-based, 0 if unknown)."""
    try:
        operators = world.catalog().country(rental.country).operators
    except errors.UnknownCountry:
        return 0
    return operators.index(rental.operator) + 1 if rental.operator in operators else 0


def restorable(world: World, apikey: str, rental: Rental) -> bool:
    try:
        world.restore_quote(apikey, rental.id, PROVIDER)
    except errors.RentalError:
        return False
    return True


def _history_row(world: World, apikey: str, rental: Rental) -> dict[str, Any]:
    row: dict[str, Any] = {"orderId": rental.id, "resourceCode": ",".join(rental.services), "number": rental.number,
                           "branchId": _branch(world, rental), "haveSms": rental.confirmed}
    if not documented():
        row["isAvailForRestore"] = restorable(world, apikey, rental)
    row.update(days=rental.days, country=rental.country, begin=rental.created_at, end=rental.expires_at,
               closed=rental.closed_at or 0)
    return row


def get_rent_history(world: World, values: dict[str, str]) -> Reply:
    apikey = values["apikey"]
    skip = int(values.get("skip", "").strip() or 0)
    take = int(values.get("take", "").strip() or 10)
    found = world.history(apikey, PROVIDER, skip=skip, take=take)
    return ok("get_rent_history", [_history_row(world, apikey, r) for r in found])


def restore_user_precalc(world: World, values: dict[str, str]) -> Reply:
    apikey = values["apikey"]
    world.account(apikey)
    quote = world.restore_quote(apikey, int(values["id"].strip()), PROVIDER)
    rental = quote.rental
    return ok("restore_user_precalc", {
        "ccode": rental.country, "scode": ",".join(rental.services), "price": money(quote.price),
        "sname": service_names(world.catalog(), rental.services), "pnumber": rental.number, "outdays": quote.overdue_days,
        "orderid": rental.id, "prolongTo": quote.prepaid_days})


def restore_user(world: World, values: dict[str, str]) -> Reply:
    rental = world.restore(values["apikey"], int(values["id"].strip()), PROVIDER)
    return ok("restore_user", True if documented() else {"id": rental.id})
