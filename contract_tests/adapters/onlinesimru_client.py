"""Adapter for ``onlinesimru`` (``RentNumbersService`` and ``UserService``, synchronous, httpx).

The client raises ``RequestException`` with the provider's code in ``.error``, and
``NoNumberException`` when ``getRentState`` lists no such open rental.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from onlinesimru import RentNumbersService, UserService
from onlinesimru.exceptions import NoNumberException, RequestException

from . import NOT_FOUND, ProviderError, RentalInfo


@contextmanager
def provider_errors() -> Iterator[None]:
    """The client's exceptions as ``ProviderError``."""
    try:
        yield
    except RequestException as exc:
        raise ProviderError(str(exc.error)) from exc
    except NoNumberException as exc:
        raise ProviderError(NOT_FOUND) from exc


def _info(number: Any) -> RentalInfo:
    return RentalInfo(int(number.tzid), str(number.number), int(number.status))


class OnlinesimRuAdapter:
    """OnlineSim through ``onlinesimru``; ``country`` is OnlineSim's numeric country code ("7")."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.numbers = RentNumbersService(api_key, base_url=base_url)
        self.user = UserService(api_key, base_url=base_url)

    def rent(self, country: str, days: int, **options: Any) -> RentalInfo:
        with provider_errors():
            item = self.numbers.rent_new_number(country=int(country), days=days,
                                                extension=bool(options.get("extension", False)))
        return RentalInfo(int(item["tzid"]), str(item["number"]), int(item["status"]))

    def list(self) -> list[RentalInfo]:
        with provider_errors():
            return [_info(n) for n in self.numbers.get_numbers()]

    def get(self, rental_id: int) -> RentalInfo:
        with provider_errors():
            return _info(self.numbers.get_number(rental_id))

    def extend(self, rental_id: int, days: int) -> None:
        with provider_errors():
            self.numbers.extend_number_rental(rental_id, days=days)

    def activate(self, rental_id: int) -> None:
        raise NotImplementedError("OnlineSim numbers need no activation")

    def messages(self, rental_id: int) -> list[str]:
        with provider_errors():
            return [m.code for m in self.numbers.get_messages(rental_id)]

    def close(self, rental_id: int) -> None:
        with provider_errors():
            self.numbers.revoke_number(rental_id)

    def history(self) -> list[RentalInfo]:
        raise NotImplementedError("OnlineSim has no rental archive")

    def restore(self, rental_id: int) -> None:
        raise NotImplementedError("OnlineSim has no restore")

    def balance(self) -> Decimal:
        with provider_errors():
            return Decimal(str(self.user.balance()["balance"]))
