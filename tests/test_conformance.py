"""Client conformance: the shipped adapters (onlinesimru, pyonlinesim, smspva-sdk) pass every scenario
against an in-process mock, and deliberately broken adapters fail with a message that names the call,
what was expected and what came back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sms_rent_mock.contract_tests.adapters import AdapterFactory, ProviderError, RentalInfo
from sms_rent_mock.contract_tests.adapters.onlinesimru_client import OnlinesimRuAdapter
from sms_rent_mock.contract_tests.adapters.pyonlinesim_client import PyOnlinesimAdapter
from sms_rent_mock.contract_tests.adapters.smspva_sdk import SmsPvaSdkAdapter, code_in, period
from sms_rent_mock.contract_tests.conformance import assert_client_conforms, check_client

SHIPPED: list[tuple[str, AdapterFactory, str]] = [
    ("onlinesimru", OnlinesimRuAdapter, "onlinesim"),
    ("pyonlinesim", PyOnlinesimAdapter, "onlinesim"),
    ("smspva-sdk", SmsPvaSdkAdapter, "smspva"),
]


@pytest.mark.parametrize(("name", "factory", "provider"), SHIPPED, ids=[s[0] for s in SHIPPED])
def test_shipped_adapter_conforms(name: str, factory: AdapterFactory, provider: str) -> None:
    assert_client_conforms(factory, provider)


def test_smspva_sdk_adapter_conforms_to_the_documented_profile_too() -> None:
    assert_client_conforms(SmsPvaSdkAdapter, "smspva", profile="documented")


def test_a_method_the_client_lacks_is_skipped_not_failed() -> None:
    failures = check_client(PyOnlinesimAdapter, "onlinesim")
    assert list(failures) == []
    assert failures.skipped and all("list()" in s and "pyonlinesim has no call" in s for s in failures.skipped)


# -- broken adapters ----------------------------------------------------------------------------------

class SwallowsRefusals(OnlinesimRuAdapter):
    """Returns an empty rental instead of raising when the provider refuses."""

    def rent(self, country: str, days: int, **options: Any) -> RentalInfo:
        try:
            return super().rent(country, days, **options)
        except ProviderError:
            return RentalInfo(0, "")


class WrongBalance(OnlinesimRuAdapter):
    def balance(self) -> Decimal:
        return super().balance() * 100  # read in cents


class OldestFirst(SmsPvaSdkAdapter):
    def messages(self, rental_id: int) -> list[str]:
        return super().messages(rental_id)[::-1]


class OneCodeForEverything(SmsPvaSdkAdapter):
    def _call(self, method: str, **params: Any) -> Any:
        try:
            return super()._call(method, **params)
        except ProviderError:
            raise ProviderError("ERROR") from None


class TakesHttp500ForNoRentals(PyOnlinesimAdapter):
    def get(self, rental_id: int) -> RentalInfo:
        try:
            return super().get(rental_id)
        except ProviderError:
            raise
        except Exception:  # noqa: BLE001 - the bug under test: a broken answer read as "nothing"
            return RentalInfo(rental_id, "")


BROKEN: list[tuple[str, AdapterFactory, str, str]] = [
    ("a refusal swallowed", SwallowsRefusals, "onlinesim",
     "[onlinesim] low balance / rent() with a zero balance: expected ProviderError('WARNING_LOW_BALANCE'), "
     "got a return value RentalInfo(id=0, number='', state=None, expires_at=None) (the refusal was swallowed)"),
    ("the balance in cents", WrongBalance, "onlinesim",
     "[onlinesim] balance / balance(): expected Decimal('123.45'), got Decimal('12345.00')"),
    ("codes oldest first", OldestFirst, "smspva",
     "[smspva] activate, online window, codes / messages(id), newest first: expected ['234234', '481516'], "
     "got ['481516', '234234']"),
    ("one code for every refusal", OneCodeForEverything, "smspva",
     "[smspva] low balance / rent() with a zero balance: expected ProviderError('Balance is not enough'), "
     "got ProviderError('ERROR')"),
    ("an HTTP 500 taken for a result", TakesHttp500ForNoRentals, "onlinesim",
     "[onlinesim] fault rules / get(id) answered with HTTP 500: expected an exception, got a return value"),
]


@pytest.mark.parametrize(("name", "factory", "provider", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_adapter_fails_with_a_clear_message(name: str, factory: AdapterFactory, provider: str,
                                                   message: str) -> None:
    failures = check_client(factory, provider)
    assert any(f.startswith(message) for f in failures), "\n".join(failures)


def test_assert_client_conforms_lists_every_failure() -> None:
    with pytest.raises(AssertionError) as raised:
        assert_client_conforms(WrongBalance, "onlinesim")
    text = str(raised.value)
    assert text.startswith("3 conformance failure(s) of the onlinesim client:\n  [onlinesim] balance / balance(): ")
    assert "balance() after renting" in text and "balance() after extending" in text


# -- the SMSPVA adapter's own translations --------------------------------------------------------------

def test_smspva_periods_are_whole_months_or_weeks() -> None:
    assert [period(d) for d in (7, 14, 30, 60)] == [("week", 1), ("week", 2), ("month", 1), ("month", 2)]
    with pytest.raises(ValueError, match="whole weeks or months"):
        period(3)


def test_smspva_codes_come_out_of_the_sms_text() -> None:
    assert code_in("Code Instagram: 671 094.") == "671094"
    assert code_in("Your code: 481516") == "481516"
    assert code_in("no code here") == "no code here"
