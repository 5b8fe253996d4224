"""``sms-rent-mock check``: run the ready-made suite against a target and turn pytest's verdict into
0 (conforms), 1 (a violation) or 2 (a usage or connection error)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

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


def run_check(*, target: str, provider: str, api_key: str = "", examples: int = 25, steps: int = 30, seed: int = 0,
              profile: str = "live", allow_spend: bool = False, budget: str | None = None,
              junit_xml: str | None = None, json_path: str | None = None, quiet: bool = True,
              hypothesis_profile: str | None = None) -> int:
    problem = reachable(target)
    if problem:
        print(f"error: {problem}")
        return 2
    if allow_spend and budget is None:
        print("error: --allow-spend needs --budget X")
        return 2
    args = [str(SUITE), "-c", str(SUITE / "pytest.ini"), "--rootdir", str(SUITE), "-p", "no:cacheprovider",
            "--contract-target", target, "--contract-provider", provider, "--contract-profile", profile,
            "--contract-seed", str(seed), "--contract-examples", str(examples), "--contract-steps", str(steps)]
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
    try:
        code = pytest.main(args)
    finally:
        if api_key:
            if env_key is None:
                os.environ.pop("CONTRACT_API_KEY", None)
            else:
                os.environ["CONTRACT_API_KEY"] = env_key
    return {pytest.ExitCode.OK: 0, pytest.ExitCode.TESTS_FAILED: 1}.get(pytest.ExitCode(code), 2)
