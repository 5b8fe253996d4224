"""The run's summary: per endpoint, calls made, calls that passed or failed a check, and what could not run."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sms_rent_mock.schemas.dialects import DIALECTS

from .target import Reply

ENDPOINTS: dict[str, tuple[str, ...]] = {name: tuple(d.methods) for name, d in DIALECTS.items()}


@dataclass
class Report:
    providers: tuple[str, ...]
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    failed: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[dict[str, str]] = field(default_factory=list)
    not_run: set[str] = field(default_factory=set)

    def record(self, reply: Reply) -> None:
        self.calls[(reply.provider, reply.method)] += 1

    def fail(self, test: str, rule: str, endpoint: tuple[str, str] | None, text: str) -> None:
        if endpoint is not None:
            self.failed[endpoint] += 1
        self.failures.append({"test": test, "rule": rule, "endpoint": "/".join(endpoint or ()), "detail": text})

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for provider in self.providers:
            for method in ENDPOINTS.get(provider, ()):
                calls, failed = self.calls[(provider, method)], self.failed[(provider, method)]
                out.append({"provider": provider, "endpoint": method, "calls": calls, "passed": calls - failed,
                            "failed": failed, "not_run": calls == 0})
        return out

    def table(self) -> str:
        lines = [f"{'provider':<10} {'endpoint':<24} {'calls':>6} {'passed':>7} {'failed':>7}  not run"]
        for row in self.rows():
            lines.append(f"{row['provider']:<10} {row['endpoint']:<24} {row['calls']:>6} {row['passed']:>7} "
                         f"{row['failed']:>7}  {'yes' if row['not_run'] else ''}")
        if self.not_run:
            lines.append("checks that could not run on this target: " + ", ".join(sorted(self.not_run)))
        return "\n".join(lines)

    def write_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps({"endpoints": self.rows(), "failures": self.failures,
                                          "not_run": sorted(self.not_run)}, indent=2), encoding="utf-8")
