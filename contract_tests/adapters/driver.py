"""The conformance driver's machinery: one ``Run`` per check, scenarios that script the mock through its
control API and judge the adapter, and failures worded so the reader sees the call, what was expected
and what came back.

A scenario starts from a reset mock (frozen clock, an account with a known balance) and a fresh
adapter. Its first failure ends it (what follows would depend on the broken step); a method the adapter
does not implement skips only the step that needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from . import Adapter, AdapterFactory, ProviderError

T = TypeVar("T")
KEY = "conformance-key"


class Failures(list[str]):
    """The failures of one ``check_client`` run (empty: the client conforms); ``skipped`` lists the steps
    that could not run because the adapter does not implement a method they need."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped: list[str] = []


class _StepSkipped(Exception):
    pass


class _ScenarioFailed(Exception):
    pass


@dataclass
class Run:
    """One scenario's view of the world: the adapter under test, the mock's control API, the failures."""

    provider: str
    base_url: str
    make_adapter: AdapterFactory
    control: Any  # sms_rent_mock.mock_server.client.MockControl
    failures: Failures
    scenario: str = ""
    adapter: Adapter = field(init=False)

    def start(self, scenario: str, *, balance: str = "1000", max_concurrent: int | None = None) -> Adapter:
        """A reset mock on a frozen clock, the key's balance set, and a new adapter for it."""
        self.scenario = scenario
        self.control.reset()
        self.control.set_clock_mode("frozen")
        self.control.put_account(KEY, balance=float(balance), max_concurrent=max_concurrent)
        self.adapter = self.make_adapter(self.base_url, KEY)
        return self.adapter

    # -- judging the adapter --------------------------------------------------------------------

    def fail(self, check: str, expected: Any, actual: Any) -> None:
        """Record a failure and end the scenario."""
        self.failures.append(f"[{self.provider}] {self.scenario} / {check}: expected {expected}, got {actual}")
        raise _ScenarioFailed()

    def returns(self, check: str, call: Callable[[], T]) -> T:
        """The call's result; a ProviderError or any other exception is a failure, a missing method a skip."""
        try:
            return call()
        except NotImplementedError as exc:
            raise _StepSkipped(f"{check}: {exc or 'not implemented'}") from None
        except ProviderError as exc:
            self.fail(check, "a result", f"ProviderError({exc.code!r})")
        except Exception as exc:  # noqa: BLE001 - any other exception is the finding
            self.fail(check, "a result", f"{type(exc).__name__}: {exc}")
        raise AssertionError("unreachable")

    def refused(self, check: str, code: str, call: Callable[[], Any]) -> None:
        """The call must raise ``ProviderError(code)``; ``code`` ending in ``*`` matches a prefix."""
        try:
            result = call()
        except NotImplementedError as exc:
            raise _StepSkipped(f"{check}: {exc or 'not implemented'}") from None
        except ProviderError as exc:
            matches = exc.code.startswith(code[:-1]) if code.endswith("*") else exc.code == code
            if not matches:
                self.fail(check, f"ProviderError({code!r})", f"ProviderError({exc.code!r})")
            return
        except Exception as exc:  # noqa: BLE001
            self.fail(check, f"ProviderError({code!r})", f"{type(exc).__name__}: {exc}")
        self.fail(check, f"ProviderError({code!r})", f"a return value {result!r} (the refusal was swallowed)")

    def raises(self, check: str, call: Callable[[], Any]) -> None:
        """A broken answer (HTTP 5xx, not JSON) must surface as some exception, never as a result."""
        try:
            result = call()
        except NotImplementedError as exc:
            raise _StepSkipped(f"{check}: {exc or 'not implemented'}") from None
        except Exception:  # noqa: BLE001 - any exception is right here
            return
        self.fail(check, "an exception", f"a return value {result!r}")

    def expect(self, check: str, expected: Any, actual: Any) -> None:
        """A value the adapter returned must equal the mock's truth."""
        if expected != actual:
            self.fail(check, repr(expected), repr(actual))

    @contextmanager
    def step(self) -> Iterator[None]:
        """Checks that need a method the adapter may lack: skipped (and reported) when it does."""
        try:
            yield
        except _StepSkipped as skipped:
            self.failures.skipped.append(f"[{self.provider}] {self.scenario} / {skipped}")

    # -- the mock's truth -----------------------------------------------------------------------

    def rental(self, rental_id: int) -> dict[str, Any]:
        """The mock's own view of a rental (control API)."""
        found: dict[str, Any] = self.control.rental(rental_id)
        return found

    def balance(self) -> Decimal:
        """The key's balance as the mock keeps it."""
        return Decimal(str(self.control.account(KEY)["balance"]))

    def number_matches(self, check: str, rental_id: int, number: str) -> None:
        """The adapter's number is the rental's, with or without the calling code."""
        truth = self.rental(rental_id)
        if number.lstrip("+") not in (truth["number"], truth["phone"]):
            self.fail(check, f"{truth['number']!r} (or {truth['phone']!r})", repr(number))


Scenario = Callable[[Run], None]


def run_scenarios(provider: str, scenarios: list[Scenario], make_adapter: AdapterFactory, base_url: str,
                  control: Any) -> Failures:
    """Every scenario in turn, each on a reset mock with a new adapter."""
    failures = Failures()
    for scenario in scenarios:
        run = Run(provider, base_url, make_adapter, control, failures)
        try:
            with run.step():
                scenario(run)
        except _ScenarioFailed:
            pass
    return failures
