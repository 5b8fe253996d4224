"""A repository under test runs inside one write transaction of a fresh throwaway store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sms_rent_mock.mock_server.storage import Tx, open_store

from . import backends


@contextmanager
def fresh_tx() -> Iterator[Tx]:
    """On the test's backend (``tests/backends.py``)."""
    store = open_store(backends.db_url())
    try:
        with store.unit_of_work() as tx:
            yield tx
    finally:
        store.close()


def add_rental(tx: Tx, rental_id: int, *, apikey: str = "k", provider: str = "p", phone: str = "9000000001",
               expires_at: int = 1000, guard_until: int | None = None, **fields: object) -> None:
    """A rental row with the columns a test does not care about filled in."""
    row = {"apikey": apikey, "provider": provider, "country": "RU", "dial": "7", "phone": phone,
           "services": ("svc",), "operator": "op", "period": 0, "days": 1, "created_at": 0,
           "expires_at": expires_at, "guard_until": guard_until}
    tx.rentals.insert(rental_id, **{**row, **fields})
