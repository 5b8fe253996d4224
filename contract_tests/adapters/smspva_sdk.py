"""Adapter for the official ``smspva-sdk`` (``SMSPVA(...).rental``, synchronous, httpx).

The SDK is pointed at the mock with ``rental_base_url`` (it appends ``/api/rent.php``). A refusal is
``ApiError`` whose ``response`` is the provider's body, ``{"status": 0, "msg": ...}``: the ``msg`` is
the code. Renting takes whole weeks or months (``dtype``), extending takes days (``prolong_max``).
SMSPVA's rental API has no balance method.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from smspva import SMSPVA
from smspva.errors import ApiError

from . import NOT_FOUND, ProviderError, RentalInfo

CODE = re.compile(r"(?<!\d)(\d{4,8})(?!\d)")


def period(days: int) -> tuple[str, int]:
    """``days`` as SMSPVA's (dtype, dcount): whole months, else whole weeks."""
    if days % 30 == 0:
        return "month", days // 30
    if days % 7 == 0:
        return "week", days // 7
    raise ValueError(f"SMSPVA rents whole weeks or months, not {days} days")


def code_in(text: str) -> str:
    """The verification code in an SMS text (the rental API sends only the text)."""
    found = CODE.search(text.replace(" ", ""))
    return found.group(1) if found else text


class SmsPvaSdkAdapter:
    """SMSPVA through ``smspva-sdk``; ``rent`` needs ``service`` (e.g. "opt6")."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.client = SMSPVA(api_key, rental_base_url=base_url)

    def _call(self, method: str, **params: Any) -> Any:
        try:
            body = getattr(self.client.rental, method)(**params)
        except ApiError as exc:
            msg = exc.response.get("msg") if isinstance(exc.response, dict) else None
            raise ProviderError(str(msg if msg is not None else exc.code)) from exc
        return body.get("data")

    def rent(self, country: str, days: int, **options: Any) -> RentalInfo:
        dtype, dcount = period(days)
        data = self._call("create", dtype=dtype, dcount=dcount, country=country, service=options["service"])
        return RentalInfo(int(data["id"]), str(data["pnumber"]), None, int(data["until"]))

    def list(self) -> list[RentalInfo]:
        return [RentalInfo(int(r["id"]), str(r["pnumber"]), int(r["state"]), int(r["until"]))
                for r in self._call("get_orders")]

    def get(self, rental_id: int) -> RentalInfo:
        found = [r for r in self.list() if r.id == rental_id]
        if not found:
            raise ProviderError(NOT_FOUND)
        return found[0]

    def extend(self, rental_id: int, days: int) -> None:
        self._call("prolong_by_days", id=rental_id, dtype="day", dcount=days)

    def activate(self, rental_id: int) -> None:
        self._call("activate", id=rental_id)

    def messages(self, rental_id: int) -> list[str]:
        data = self._call("get_sms", id=rental_id)
        found = data["SmsList"] if isinstance(data, dict) else data  # the documented profile sends one list
        return [code_in(str(m["text"])) for m in found]

    def close(self, rental_id: int) -> None:
        self._call("delete_order", id=rental_id)

    def history(self) -> list[RentalInfo]:
        return [RentalInfo(int(r["orderId"]), str(r["number"]), None, int(r["end"]))
                for r in self._call("get_history", skip=0, take=100)]

    def restore(self, rental_id: int) -> None:
        self._call("restore", id=rental_id)

    def balance(self) -> Decimal:
        raise NotImplementedError("SMSPVA's rental API has no balance method")
