"""One request's read of the world (``with world.view() as v``) and the ownership rule every read and
write of a rental applies."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import accounts, guards, inbox, stock
from .catalog import Catalog
from .guards import Action, Facts
from .ports import Tx
from .rentals import Rental
from .settings import Settings


def owned(tx: Tx, apikey: str | None, rental_id: int, provider: str, now: int,
          action: Action = Action.VIEW, facts: Facts | None = None) -> Rental:
    """A rental of this key and provider that ``action`` may act on (``guards``); another key's is refused,
    never shown."""
    return guards.check(action, tx.rentals.get(rental_id, now), facts or Facts(apikey, provider, now))


@dataclass(frozen=True, slots=True)
class View:
    """One request's read of the world: a snapshot transaction, `now` fixed once, the catalog and settings,
    and the key's account when the view was opened for one. Valid only inside ``with world.view()``."""

    tx: Tx
    now: int
    catalog: Catalog
    settings: Settings
    account: accounts.Account | None = None

    @property
    def apikey(self) -> str | None:
        return None if self.account is None else self.account.apikey

    def rental(self, rental_id: int, provider: str) -> Rental:
        """One rental of the view's key, open or not (another key's is ``NotOwner``)."""
        return owned(self.tx, self.apikey, rental_id, provider, self.now)

    def open_rentals(self, provider: str) -> list[Rental]:
        return self.tx.rentals.open_for(self.apikey, provider, self.now) if self.apikey else []

    def messages(self, rental: Rental) -> list[inbox.Message]:
        return self.tx.inbox.messages(rental.id, self.now)

    def messages_of(self, found: list[Rental]) -> dict[int, list[inbox.Message]]:
        """Messages of several rentals at once (one query), keyed by rental id, newest first."""
        return self.tx.inbox.messages_of([r.id for r in found], self.now)

    def stock(self, provider: str, country: str | None = None) -> list[stock.StockRow]:
        return self.tx.stock.rows(provider, country)

    def frozen_balance(self, provider: str) -> Decimal:
        """Money held by the key's rentals of ``provider`` still inside their refundable guard window."""
        return sum((r.paid for r in self.open_rentals(provider) if r.guarding(self.now)), Decimal(0))
