"""Restoring an archived rental: who may, when, and at what price.

Cost = overdue days at the full daily price (no discount) + the prepaid days (30), as the provider's
FAQ states. Each refusal has its own cause, checked in the order the provider documents them (the
restore row of ``guards.GUARDS``): an id with nothing of this provider behind it is "no data"; the
caller's order that has not expired yet (still open, or deleted with paid time left) is "not expired".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from . import guards
from .catalog import Offer
from .errors import RentalError
from .guards import Action, Facts
from .rentals import DAY, Rental
from .settings import Settings

if TYPE_CHECKING:
    from .ports import Tx


@dataclass(frozen=True, slots=True)
class Quote:
    rental: Rental
    overdue_days: int
    prepaid_days: int
    price: Decimal


def quote(tx: Tx, settings: Settings, apikey: str, rental_id: int, provider: str, now: int,
          offers_of: Callable[[Rental], list[Offer]]) -> Quote:
    """The price of bringing ``rental_id`` back now, or the refusal that explains why it cannot be
    (``guards.GUARDS[Action.RESTORE]`` lists them in order)."""
    rental = tx.rentals.get(rental_id, now)
    offers: list[Offer] = []
    withdrawn: RentalError | None = None
    if rental is not None:
        try:
            offers = offers_of(rental)
        except RentalError as exc:
            withdrawn = exc
    taken = rental is not None and tx.rentals.number_taken(rental.dial, rental.phone)
    rental = guards.check(Action.RESTORE, rental, Facts(apikey, provider, now, settings, withdrawn=withdrawn,
                                                        number_taken=taken))
    if withdrawn is not None:  # a catalog refusal other than a withdrawn country or service
        raise withdrawn
    prepaid = settings.restore_prepaid_days
    overdue = max(1, math.ceil((now - rental.expires_at) / DAY))
    price = sum((o.full_price(overdue + prepaid) for o in offers), Decimal(0))
    return Quote(rental, overdue, prepaid, price)
