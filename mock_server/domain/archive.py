"""Restoring an archived rental: who may, when, and at what price.

Cost = overdue days at the full daily price (no discount) + the prepaid days (30), as the provider's
FAQ states. Each refusal has its own cause, checked in the order the provider documents them:
an id with nothing of this provider behind it is "no data"; the caller's order that has not expired
yet (still open, or deleted with paid time left) is "not expired".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from .catalog import Offer
from .errors import (CountryWithdrawn, NotInArchive, NotOwner, NotYetExpired, NumberUnavailable, ServiceWithdrawn,
                     UnknownCountry, UnknownService)
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
    """The price of bringing ``rental_id`` back now, or the refusal that explains why it cannot be."""
    rental = tx.rentals.get(rental_id, now)
    if rental is None or rental.provider != provider:
        raise NotInArchive()
    if rental.is_open:
        # the caller's own open order "was not expired" (the provider's DATEDIFFINVERT); another key's
        # open order stays invisible, as everywhere else
        raise NotYetExpired() if rental.apikey == apikey else NotInArchive()
    if rental.apikey != apikey:
        raise NotOwner()
    try:
        offers = offers_of(rental)
    except UnknownCountry:
        raise CountryWithdrawn() from None
    except UnknownService:
        raise ServiceWithdrawn() from None
    if rental.expires_at > now:
        raise NotYetExpired()
    prepaid = settings.restore_prepaid_days
    guaranteed_until = rental.created_at + settings.max_term_days * DAY
    if rental.gone or tx.rentals.number_taken(rental.dial, rental.phone) or now + prepaid * DAY > guaranteed_until:
        raise NumberUnavailable()
    overdue = max(1, math.ceil((now - rental.expires_at) / DAY))
    price = sum((o.full_price(overdue + prepaid) for o in offers), Decimal(0))
    return Quote(rental, overdue, prepaid, price)
