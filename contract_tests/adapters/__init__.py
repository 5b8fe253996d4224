"""The adapter protocol: a small class that drives *your* rental client, so the kit can check the client.

The conformance driver (``sms_rent_mock.contract_tests.conformance.check_client``) starts our mock, scripts situations
through its control API (SMS arriving, the clock passing an expiry, stock emptied, a low balance, a
fault rule making the next call fail) and calls your adapter's methods. It checks that each returns
what the mock's state says, and that each refusal comes out as ``ProviderError`` with the provider's
code (OnlineSim's ``response`` code such as ``NO_NUMBER``, SMSPVA's ``msg`` such as
``No numbers available``).

An adapter's methods call your client and translate: its results into ``RentalInfo`` (or codes, or a
``Decimal``), its exceptions into ``ProviderError``. A method your provider or client lacks raises
``NotImplementedError``; the checks that need it are then reported as skipped, not failed.
Ready-made adapters: ``onlinesimru_client``, ``pyonlinesim_client`` and ``smspva_sdk``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

__all__ = ["NOT_FOUND", "Adapter", "AdapterFactory", "ProviderError", "RentalInfo"]

# the code for "the provider reports no such open rental" where the client signals it without a provider
# code (OnlineSim answers an empty list for a closed tzid; SMSPVA's ``orders`` simply no longer lists it)
NOT_FOUND = "NOT_FOUND"


class ProviderError(Exception):
    """The provider refused the call; ``code`` is its code or message, exactly as it sent it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class RentalInfo:
    """One rented number as the client reports it.

    ``number`` is digits, with or without the country calling code. ``state`` is the provider's own
    state code (OnlineSim ``status``: 0 waiting for the first SMS, 1 confirmed; SMSPVA ``state``: 0
    offline, 2 activating, 1 online, -1 gone), None where the call does not report one. ``expires_at``
    is Unix seconds where the client reports it (SMSPVA ``until``, history ``end``).
    """

    id: int
    number: str
    state: int | None = None
    expires_at: int | None = None


class Adapter(Protocol):
    """What the conformance driver calls. Every method may raise ``ProviderError``; one the provider or
    the client lacks raises ``NotImplementedError``."""

    def rent(self, country: str, days: int, **options: Any) -> RentalInfo:
        """Rent a number for ``days`` (OnlineSim: country code such as "7"; SMSPVA: "RU" and ``service``)."""
        ...

    def list(self) -> list[RentalInfo]:
        """The key's open rentals."""
        ...

    def get(self, rental_id: int) -> RentalInfo:
        """One open rental; ``ProviderError(NOT_FOUND)`` (or the provider's code) once it is not open."""
        ...

    def extend(self, rental_id: int, days: int) -> None:
        """Add ``days`` (OnlineSim extendRentState; SMSPVA prolong by days)."""
        ...

    def activate(self, rental_id: int) -> None:
        """Bring the number online (SMSPVA); OnlineSim has no such call."""
        ...

    def messages(self, rental_id: int) -> list[str]:
        """The verification codes received, newest first."""
        ...

    def close(self, rental_id: int) -> None:
        """End the rental (OnlineSim closeRentNum; SMSPVA delete)."""
        ...

    def history(self) -> list[RentalInfo]:
        """Ended rentals, newest first (SMSPVA get_rent_history)."""
        ...

    def restore(self, rental_id: int) -> None:
        """Bring an expired rental back (SMSPVA restore_user)."""
        ...

    def balance(self) -> Decimal:
        """The account balance (OnlineSim getBalance; SMSPVA's rental API has none)."""
        ...


AdapterFactory = Callable[[str, str], Adapter]
"""``factory(base_url, api_key)``: an adapter whose client talks to ``base_url`` with ``api_key``."""
