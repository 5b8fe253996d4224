"""Adapter for ``pyonlinesim`` (``OnlineRent``, asynchronous, aiohttp): each call runs in ``asyncio.run``.

The client raises an ``APIError`` subclass whose ``match`` is the provider's code in lower case (the
base ``APIError`` carries the code itself when no subclass matches). It has no call that lists all
rentals, and reading a rental that is no longer open fails with ``IndexError`` (an empty ``list``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from decimal import Decimal
from typing import Any, TypeVar

from pyonlinesim import OnlineRent
from pyonlinesim.exceptions import APIError

from sms_rent_mock.schemas.dialects import ONLINESIM

from . import NOT_FOUND, ProviderError, RentalInfo

T = TypeVar("T")


def code_of(exc: APIError) -> str:
    """The OnlineSim code behind one of the client's exceptions (``NoNumber`` -> ``NO_NUMBER``)."""
    return str(getattr(exc, "match", "") or exc).upper()


class PyOnlinesimAdapter:
    """OnlineSim through ``pyonlinesim``; ``country`` is OnlineSim's numeric country code ("7")."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.client = OnlineRent(api_key)
        self.client.BASE_URL = f"{base_url.rstrip('/')}{ONLINESIM.folder}"  # it appends <method>.php

    def _run(self, call: Coroutine[Any, Any, T]) -> T:
        try:
            return asyncio.run(call)
        except APIError as exc:
            raise ProviderError(code_of(exc)) from exc
        except IndexError as exc:
            raise ProviderError(NOT_FOUND) from exc

    def rent(self, country: str, days: int, **options: Any) -> RentalInfo:
        number = self._run(self.client.rent_number(country=int(country), days=days,
                                                   auto_renewal=bool(options.get("extension", False))))
        return RentalInfo(number.operation_id, number.number, int(number.status))

    def list(self) -> list[RentalInfo]:
        raise NotImplementedError("pyonlinesim has no call that lists every rental")

    def get(self, rental_id: int) -> RentalInfo:
        number = self._run(self.client.get_rent_info(rental_id))
        return RentalInfo(number.operation_id, number.number, int(number.status))

    def extend(self, rental_id: int, days: int) -> None:
        self._run(self.client.extend_rent(rental_id, days=days))

    def activate(self, rental_id: int) -> None:
        raise NotImplementedError("OnlineSim numbers need no activation")

    def messages(self, rental_id: int) -> list[str]:
        number = self._run(self.client.get_rent_info(rental_id))
        return [m.code for m in (number.messages.data or [])] if number.messages else []

    def close(self, rental_id: int) -> None:
        self._run(self.client.finish_rent(rental_id))

    def history(self) -> list[RentalInfo]:
        raise NotImplementedError("OnlineSim has no rental archive")

    def restore(self, rental_id: int) -> None:
        raise NotImplementedError("OnlineSim has no restore")

    def balance(self) -> Decimal:
        return Decimal(str(self._run(self.client.get_balance()).balance))
