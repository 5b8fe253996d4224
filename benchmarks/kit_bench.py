"""How long the contract kit's default run takes against the in-process mock, and its pace.

    python benchmarks/kit_bench.py [--provider all] [--examples 25] [--steps 30]

Prints wall time, provider calls made and calls per second, per provider and in total (the default
profile must stay well under 60 s on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sms_rent_mock.contract_tests.runner import run_check


def measure(provider: str, examples: int, steps: int) -> tuple[int, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        began = time.perf_counter()
        code = run_check(target="mock", provider=provider, examples=examples, steps=steps, json_path=str(report))
        elapsed = time.perf_counter() - began
        calls = sum(row["calls"] for row in json.loads(report.read_text())["endpoints"])
    return code, elapsed, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25)
    parser.add_argument("--steps", type=int, default=30)
    opts = parser.parse_args()
    rows = []
    for provider in ("onlinesim", "smspva", "all"):
        code, elapsed, calls = measure(provider, opts.examples, opts.steps)
        rows.append((provider, code, elapsed, calls))
    print(f"\ncontract kit, in-process mock, {opts.examples} examples x {opts.steps} steps per machine")
    print(f"{'provider':<10}{'exit':>5}{'seconds':>9}{'calls':>8}{'calls/s':>9}")
    for provider, code, elapsed, calls in rows:
        print(f"{provider:<10}{code:>5}{elapsed:>9.1f}{calls:>8}{calls / elapsed:>9.0f}")


if __name__ == "__main__":
    main()
