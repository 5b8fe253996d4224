"""pytest plugin (entry point ``rental_contract``): options, the ``contract`` marker, Hypothesis profiles,
and the fixtures the ready-made suite and users' own tests use. Heavy imports happen inside fixtures.

Switch it off with ``-p no:rental_contract``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .session import Session

PROVIDER_CHOICES = ("onlinesim", "smspva", "all")
_REPORT_KEY = pytest.StashKey["Any"]()
PROGRESS_KEY = pytest.StashKey["Any"]()  # a ``progress.Progress`` that ``check`` puts here on a terminal


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "sms-rent-mock contract kit")
    group.addoption("--contract-target", default=os.environ.get("CONTRACT_TARGET", "mock"),
                    help="'mock' (an in-process mock, default) or a base URL such as http://127.0.0.1:8080")
    group.addoption("--contract-provider", default="all", choices=PROVIDER_CHOICES)
    group.addoption("--contract-api-key", default=os.environ.get("CONTRACT_API_KEY", ""),
                    help="API key for a real provider (or CONTRACT_API_KEY); never printed")
    group.addoption("--contract-profile", default="live", choices=("live", "documented"))
    group.addoption("--contract-seed", default=0, type=int)
    group.addoption("--contract-examples", default=25, type=int, help="Hypothesis examples per state machine")
    group.addoption("--contract-steps", default=30, type=int, help="steps per state-machine example")
    group.addoption("--contract-allow-spend", action="store_true", help="allow paid operations (needs a budget)")
    group.addoption("--contract-budget", default=None, help="most money the kit may spend on a real account")
    group.addoption("--contract-control-token", default=os.environ.get("CONTRACT_CONTROL_TOKEN"))
    group.addoption("--contract-json", default=None, help="write the summary and failures as JSON here")
    group.addoption("--contract-max-seconds", default=120.0, type=float,
                    help="the whole run ends by then, failing with what it saw (default 120)")
    group.addoption("--contract-shrink-seconds", default=20.0, type=float,
                    help="most time spent shrinking a failure before it is reported as found (default 20)")
    group.addoption("--contract-hypothesis-db", default=None,
                    help="keep Hypothesis examples in this directory (default: in memory, this run only)")


@pytest.hookimpl(tryfirst=True)  # before Hypothesis's own plugin loads the profile named on the command line
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "contract(provider=None): a contract test; provider limits it to one dialect")
    from hypothesis import HealthCheck, Phase, settings

    common: dict[str, Any] = {"deadline": None, "suppress_health_check": list(HealthCheck)}
    settings.register_profile("contract-dev", **common)
    settings.register_profile("contract-ci", derandomize=True, print_blob=True, **common)
    # finds a violation fast and deterministically, without shrinking it (the project's mutant tests)
    settings.register_profile("contract-quick", derandomize=True,
                              phases=(Phase.explicit, Phase.reuse, Phase.generate), **common)


def selected_providers(config: pytest.Config) -> tuple[str, ...]:
    chosen = config.getoption("--contract-provider")
    return ("onlinesim", "smspva") if chosen == "all" else (chosen,)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "contract_provider" in metafunc.fixturenames:
        metafunc.parametrize("contract_provider", selected_providers(metafunc.config))


def _budget(raw: str | None) -> Decimal | None:
    if raw is None:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise pytest.UsageError(f"--contract-budget must be a number, not {raw!r}") from None
    if value < 0:
        raise pytest.UsageError("--contract-budget must not be negative")
    return value


@pytest.fixture(scope="session")
def contract_session(request: pytest.FixtureRequest) -> Iterator[Session]:
    """The target (started in-process for 'mock'), its control API if any, and the run's settings."""
    from .pace import Pace, example_database
    from .report import Report
    from .session import Budget, Session, quiet_mock, restore_mock
    from .target import Target, in_process_transport, loopback_http, probe_control

    config = request.config
    option = config.getoption
    if option("--contract-max-seconds") <= 0 or option("--contract-shrink-seconds") < 0:
        raise pytest.UsageError("--contract-max-seconds must be positive and --contract-shrink-seconds not negative")
    pace = Pace(max_seconds=option("--contract-max-seconds"), shrink_seconds=option("--contract-shrink-seconds"),
                seed=option("--contract-seed"), database=example_database(option("--contract-hypothesis-db")),
                progress=config.stash.get(PROGRESS_KEY, None))
    budget = _budget(option("--contract-budget"))
    if option("--contract-allow-spend") and budget is None:
        raise pytest.UsageError("--contract-allow-spend needs --contract-budget X")
    report = config.stash.setdefault(_REPORT_KEY, Report(selected_providers(config)))
    where = option("--contract-target")
    with _target_url(where, option("--contract-profile"), option("--contract-seed")) as url:
        target = Target(url, api_key=option("--contract-api-key"), report=report)
        if loopback_http(url):  # no proxy can reach this machine's loopback, and plain HTTP needs no CA
            target.session.trust_env = False  # bundle: reading them from the environment cost 1 ms a call
        transport = in_process_transport(url)
        if transport is not None:  # our in-process mock: its calls go straight to the app, not over HTTP
            target.session.mount(url + "/", transport)
        target.control = probe_control(url, target.session, option("--contract-control-token"))
        session = Session(target, profile=option("--contract-profile"), seed=option("--contract-seed"),
                          allow_spend=option("--contract-allow-spend"),
                          budget=Budget(budget) if budget is not None else None, pace=pace)
        saved = quiet_mock(target.control) if target.control is not None else None
        target.pace = pace
        try:
            yield session
        finally:
            target.pace = None
            report.not_run |= session.not_run
            if saved is not None and target.control is not None:
                restore_mock(target.control, saved)


def _target_url(where: str, profile: str, seed: int) -> Any:
    from contextlib import nullcontext

    from .target import in_process_mock

    if where == "mock":
        return in_process_mock(profile=profile, seed=seed)
    if not where.startswith(("http://", "https://")):
        raise pytest.UsageError(f"--contract-target must be 'mock' or an http(s) URL, not {where!r}")
    return nullcontext(where.rstrip("/"))


@pytest.fixture
def contract_examples(request: pytest.FixtureRequest) -> tuple[int, int]:
    return request.config.getoption("--contract-examples"), request.config.getoption("--contract-steps")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and _REPORT_KEY in item.config.stash and call.excinfo is not None:
        from .checks import Violation

        exc = call.excinfo.value
        rule = getattr(exc, "rule", None) or type(exc).__name__
        endpoint = (exc.reply.provider, exc.reply.method) if isinstance(exc, Violation) and exc.reply else None
        item.config.stash[_REPORT_KEY].fail(item.nodeid, rule, endpoint, str(exc)[:2000])


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    report = config.stash.get(_REPORT_KEY, None)
    if report is None:
        return
    terminalreporter.section("contract summary")
    terminalreporter.write_line(report.table())
    path = config.getoption("--contract-json")
    if path:
        report.write_json(path)
