"""Client conformance: does *your* OnlineSim or SMSPVA client return the right values, and raise for each
documented refusal?

Write a small adapter for the client (``sms_rent_mock.contract_tests.adapters.Adapter``), then::

    from sms_rent_mock.contract_tests.conformance import assert_client_conforms
    from sms_rent_mock.contract_tests.adapters.onlinesimru_client import OnlinesimRuAdapter

    def test_my_client_conforms():
        assert_client_conforms(OnlinesimRuAdapter, "onlinesim")

The driver starts our mock in this process (or uses ``base_url`` with its control API), scripts each
situation through the control API (SMS arriving, the clock passing an expiry, stock emptied, a low
balance, a fault rule making the next call fail) and compares what the adapter returns or raises with
the mock's own state. No internet is involved.
"""

from __future__ import annotations

from typing import Any

from .adapters import AdapterFactory
from .adapters.driver import Failures, Scenario, run_scenarios
from .adapters.onlinesim_scenarios import SCENARIOS as ONLINESIM
from .adapters.smspva_scenarios import SCENARIOS as SMSPVA

__all__ = ["SCENARIOS", "Failures", "assert_client_conforms", "check_client"]

SCENARIOS: dict[str, list[Scenario]] = {"onlinesim": ONLINESIM, "smspva": SMSPVA}


def check_client(adapter_factory: AdapterFactory, provider: str, *, base_url: str | None = None,
                 control: Any = None, profile: str = "live") -> Failures:
    """Run every scenario of ``provider`` against the adapter; returns the failures (empty: conforms).

    Without ``base_url`` a mock is started in this process (real HTTP on a loopback port) and stopped
    afterwards. With one, it must be our mock with its control API (``control``, a ``MockControl``;
    made from ``base_url`` if not given); the scenarios reset it.
    """
    if provider not in SCENARIOS:
        raise ValueError(f"provider must be one of {', '.join(SCENARIOS)}, not {provider!r}")
    from sms_rent_mock.mock_server.client import MockControl

    from .target import in_process_mock

    if base_url is not None:
        return run_scenarios(provider, SCENARIOS[provider], adapter_factory, base_url.rstrip("/"),
                             control or MockControl(base_url))
    with in_process_mock(profile=profile) as url:
        return run_scenarios(provider, SCENARIOS[provider], adapter_factory, url, MockControl(url))


def assert_client_conforms(adapter_factory: AdapterFactory, provider: str, **options: Any) -> None:
    """``check_client`` for a test: raises AssertionError listing every failure (skipped steps are noted)."""
    failures = check_client(adapter_factory, provider, **options)
    if failures:
        lines = [f"{len(failures)} conformance failure(s) of the {provider} client:", *failures]
        if failures.skipped:
            lines.append(f"skipped (the adapter does not implement them): {len(failures.skipped)}")
        raise AssertionError("\n  ".join(lines))
