"""What ``serve`` loads before Granian forks its workers: the app's modules, and nothing a serving worker
does not need at once (each such module costs start-up time and memory in every process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Modules ``serve`` (plain HTTP) must not load before its first answer: the kit, Faker (first rental),
# TLS (``--tls`` only), the OpenAPI generator, HTTP clients, and the control API's rare operations.
LAZY = ("hypothesis", "faker", "cryptography", "requests", "sms_rent_mock.contract_tests",
        "sms_rent_mock.mock_server.tls", "sms_rent_mock.mock_server.client", "sms_rent_mock.schemas.openapi",
        "sms_rent_mock.mock_server.domain.snapshot", "sms_rent_mock.mock_server.domain.catalog_edit",
        "sms_rent_mock.fixtures.scenarios")

# ``serve`` as run, up to the point where Granian would fork: it prints the modules loaded by then.
UNTIL_FORK = """
import json, sys
import granian.server
granian.server.Server.serve = lambda self, *a, **k: print(json.dumps(sorted(sys.modules)))
from sms_rent_mock.mock_server.cli import main
main(["serve", "--db", sys.argv[1], "--workers", "2"])
"""


def loaded_before_fork(db: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-c", UNTIL_FORK, str(db)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_serve_loads_the_app_before_the_fork_and_nothing_lazy(tmp_path: Path) -> None:
    loaded = loaded_before_fork(tmp_path / "mock.sqlite3")
    assert {"sms_rent_mock.mock_server.app", "flask", "jsonschema"} <= loaded  # shared with the workers
    assert sorted(name for name in loaded if name.startswith(tuple(f"{lazy}." for lazy in LAZY)) or name in LAZY) == []
