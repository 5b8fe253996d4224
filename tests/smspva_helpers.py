"""Helpers for the SMSPVA tests: a thin caller for ``/api/rent.php`` and direct looks at the store.

The tests judge the mock by its wire answers first and check the World's state (ledger, stock, the
rental row) after every change, so a wrong answer and a wrong state both fail.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask.testing import FlaskClient

from sms_rent_mock.mock_server.domain import Rental, World, accounts

KEY = "pva-key"
OTHER_KEY = "pva-other"
DAY = 86_400
HOUR = 3_600


class Pva:
    """Calls ``GET /api/rent.php?method=...`` and unpacks the envelope."""

    def __init__(self, client: FlaskClient, apikey: str = KEY) -> None:
        self.client = client
        self.apikey = apikey

    def raw(self, method: str | None, *, key: bool = True, **params: Any) -> dict[str, Any]:
        query = {k: str(v) for k, v in params.items()}
        if method is not None:
            query["method"] = method
        if key and self.apikey:
            query["apikey"] = self.apikey
        response = self.client.get("/api/rent.php", query_string=query)
        assert response.status_code == 200
        body: dict[str, Any] = response.get_json()
        return body

    def ok(self, method: str, **params: Any) -> Any:
        body = self.raw(method, **params)
        assert body.get("status") == 1, body
        return body.get("data")

    def fail(self, method: str | None, **params: Any) -> str:
        body = self.raw(method, **params)
        assert body["status"] == 0 and set(body) == {"status", "msg"}, body
        msg: str = body["msg"]
        return msg

    def as_key(self, apikey: str) -> Pva:
        return Pva(self.client, apikey)

    def create(self, *, country: str = "RU", service: str = "opt6", dtype: str = "week", dcount: int = 1,
               **extra: Any) -> dict[str, Any]:
        data: dict[str, Any] = self.ok("create", country=country, service=service, dtype=dtype, dcount=dcount, **extra)
        return data

    def order(self, order_id: int) -> dict[str, Any]:
        """The order's row in ``orders`` (fails if it is not listed)."""
        rows = [r for r in self.ok("orders") if r["id"] == order_id]
        assert len(rows) == 1, f"order {order_id} is not in orders"
        row: dict[str, Any] = rows[0]
        return row


def rental(world: World, rental_id: int) -> Rental:
    found = world.rental(world_key(world, rental_id), rental_id, "smspva")
    return found


def world_key(world: World, rental_id: int) -> str:
    row = world.store.db.execute("SELECT apikey FROM rentals WHERE id = ?", (rental_id,)).fetchone()
    assert row is not None, f"no rental {rental_id}"
    return str(row[0])


def balance(world: World, apikey: str = KEY) -> Decimal:
    account = world.store.current().accounts.load(apikey)
    assert account is not None
    return account.balance


def ledger(world: World, apikey: str = KEY) -> list[accounts.LedgerEntry]:
    """The key's ledger, oldest first."""
    return list(reversed(world.store.current().accounts.ledger(apikey)))


def free(world: World, country: str, service: str, operator: str | None = None) -> int:
    return sum(r.count for r in world.store.current().stock.rows("smspva", country)
               if r.service == service and (operator is None or r.operator == operator))


def retire(world: World, rental_id: int) -> None:
    """The provider drops the number: the order shows state -1 (what the control API will do)."""
    with world.store.write() as db:
        db.execute("UPDATE rentals SET gone = 1 WHERE id = ?", (rental_id,))
        db.execute("INSERT OR IGNORE INTO retired_numbers SELECT dial, phone FROM rentals WHERE id = ?", (rental_id,))


def withdraw(world: World, *, country: str | None = None, service: str | None = None) -> None:
    """The catalog stops offering a country or a service (a catalog update after orders were made)."""
    data = world.catalog().data
    market = {**data["smspva"], "countries": dict(data["smspva"]["countries"]),
              "services": dict(data["smspva"]["services"])}
    if country is not None:
        del market["countries"][country]
    if service is not None:
        del market["services"][service]
    with world.store.unit_of_work() as tx:
        tx.meta.put_catalog({**data, "smspva": market})
