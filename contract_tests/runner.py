"""``sms-rent-mock check``: run the ready-made suite against a target and turn pytest's verdict into
0 (conforms), 1 (a violation) or 2 (a usage or connection error)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from .pace import DEFAULT_MAX_SECONDS, DEFAULT_SHRINK_SECONDS
from .progress import Progress

SUITE = Path(__file__).parent / "suite"


def reachable(target: str) -> str | None:
    """None when the target answers HTTP at all, else why not."""
    if target == "mock":
        return None
    try:
        requests.get(target, timeout=10)
    except requests.RequestException as exc:
        return f"cannot reach {target}: {type(exc).__name__}"
    return None


class _ProgressPlugin:
    """Hands ``check``'s progress display to the kit's plugin (through the config's stash)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        from .plugin import PROGRESS_KEY

        config.stash[PROGRESS_KEY] = self.progress


@contextmanager
def _scratch_hypothesis_home() -> Iterator[None]:
    """Hypothesis keeps caches under its home directory (``./.hypothesis`` by default): during a check
    that is a temporary directory, so nothing is written to the user's working directory."""
    from hypothesis.configuration import set_hypothesis_home_dir

    with tempfile.TemporaryDirectory(prefix="sms-rent-mock-check-") as scratch:
        set_hypothesis_home_dir(scratch)
        try:
            yield
        finally:
            set_hypothesis_home_dir(os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY") or None)


def run_check(*, target: str, provider: str, api_key: str = "", examples: int = 25, steps: int = 30, seed: int = 0,
              profile: str = "live", allow_spend: bool = False, budget: str | None = None,
              junit_xml: str | None = None, json_path: str | None = None, quiet: bool = True,
              hypothesis_profile: str | None = None, max_seconds: float = DEFAULT_MAX_SECONDS,
              shrink_seconds: float = DEFAULT_SHRINK_SECONDS, hypothesis_db: str | None = None,
              progress: bool = False) -> int:
    """Run the suite; ``progress`` shows a line per machine on stderr when it is a terminal (never with
    ``json_path``). Hypothesis examples stay in memory unless ``hypothesis_db`` names a directory."""
    if max_seconds <= 0 or shrink_seconds < 0:
        print("error: --max-seconds must be positive and --shrink-seconds not negative")
        return 2
    problem = reachable(target)
    if problem:
        print(f"error: {problem}")
        return 2
    if allow_spend and budget is None:
        print("error: --allow-spend needs --budget X")
        return 2
    args = [str(SUITE), "-c", str(SUITE / "pytest.ini"), "--rootdir", str(SUITE), "-p", "no:cacheprovider",
            "--contract-target", target, "--contract-provider", provider, "--contract-profile", profile,
            "--contract-seed", str(seed), "--contract-examples", str(examples), "--contract-steps", str(steps),
            "--contract-max-seconds", str(max_seconds), "--contract-shrink-seconds", str(shrink_seconds)]
    if hypothesis_db:
        args += ["--contract-hypothesis-db", hypothesis_db]
    if quiet:
        args.append("-q")
    if allow_spend:
        args.append("--contract-allow-spend")
    if budget is not None:
        args += ["--contract-budget", budget]
    if junit_xml:
        args += ["--junit-xml", junit_xml]
    if hypothesis_profile:
        args += ["--hypothesis-profile", hypothesis_profile]
    if json_path:
        args += ["--contract-json", json_path]
    env_key = os.environ.get("CONTRACT_API_KEY")
    if api_key:
        os.environ["CONTRACT_API_KEY"] = api_key  # not on the command line: it would show in process lists
    display = Progress.for_terminal(quiet=not progress or json_path is not None)
    try:
        with _scratch_hypothesis_home():
            code = pytest.main(args, plugins=[_ProgressPlugin(display)] if display else [])
    finally:
        if display is not None:
            display.close()
        if api_key:
            if env_key is None:
                os.environ.pop("CONTRACT_API_KEY", None)
            else:
                os.environ["CONTRACT_API_KEY"] = env_key
    return {pytest.ExitCode.OK: 0, pytest.ExitCode.TESTS_FAILED: 1}.get(pytest.ExitCode(code), 2)
