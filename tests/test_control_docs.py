"""The control API's end-to-end example in README.md runs as written against ``serve``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from . import server

pytestmark = pytest.mark.server

DOC = Path(__file__).resolve().parent.parent / "README.md"


def example() -> str:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- example: end-to-end -->\s*```python\n(.*?)```", text, re.S)
    assert found, "the end-to-end example is missing from README.md"
    return found.group(1)


def test_the_end_to_end_example_runs_against_a_live_server(tmp_path: Path) -> None:
    with server.serving("--db", str(tmp_path / "mock.sqlite3"), "--clock", "frozen") as url:
        code = example().replace('BASE = "http://127.0.0.1:8080"', f'BASE = "{url}"')
        assert url in code
        exec(compile(code, str(DOC), "exec"), {"__name__": "docs_example"})
