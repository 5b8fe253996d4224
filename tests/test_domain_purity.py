"""The domain is pure: it imports no storage, web framework, seed data or provider, and names no provider.

Read from the source (AST), so a lazy import inside a function or a provider name in a literal counts
as much as a top-level one. Docstrings are prose and may mention a provider.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parent.parent / "mock_server" / "domain"
MODULES = sorted(DOMAIN.glob("*.py"))
FORBIDDEN = ("sqlite3", "flask", "werkzeug", "fixtures", "sms_rent_mock.mock_server.providers", "sms_rent_mock.mock_server.storage",
             "psycopg")
# relative imports resolve against sms_rent_mock.mock_server.domain: ".." is sms_rent_mock.mock_server
RELATIVE_FORBIDDEN = ("providers", "storage", "store")
PROVIDER_NAME = re.compile(r"\b(onlinesim|smspva)\b", re.IGNORECASE)


def imports(tree: ast.AST) -> list[str]:
    """Every imported module, absolute (``..storage`` from the domain is ``sms_rent_mock.mock_server.storage``)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level == 0:
                found.append(base)
            elif node.level == 1:
                found.append(f"sms_rent_mock.mock_server.domain.{base}".rstrip("."))
            else:
                parent = f"sms_rent_mock.mock_server.{base}".rstrip(".")
                found += [parent] if base else [f"sms_rent_mock.mock_server.{a.name}" for a in node.names]
    return found


def literals(tree: ast.AST) -> list[str]:
    """String constants that are not docstrings."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def forbidden_import(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN) or \
        any(name == f"sms_rent_mock.mock_server.{r}" or name.startswith(f"sms_rent_mock.mock_server.{r}.") for r in RELATIVE_FORBIDDEN)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_a_domain_module_imports_no_storage_framework_fixtures_or_provider(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert [name for name in imports(tree) if forbidden_import(name)] == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_a_domain_module_names_no_provider(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert [text for text in literals(tree) if PROVIDER_NAME.search(text)] == []


def test_the_checks_catch_what_they_look_for() -> None:
    tree = ast.parse('"""Mentions OnlineSim."""\nimport sqlite3\nfrom ..storage import rentals\n'
                     'from .. import providers\nX = "smspva"\nY = f"onlinesim.{1}"\n')
    assert [n for n in imports(tree) if forbidden_import(n)] == ["sqlite3", "sms_rent_mock.mock_server.storage",
                                                                  "sms_rent_mock.mock_server.providers"]
    assert [t for t in literals(tree) if PROVIDER_NAME.search(t)] == ["smspva", "onlinesim."]


def test_the_walk_finds_the_domain() -> None:
    assert {p.name for p in MODULES} >= {"world.py", "ports.py", "admin.py", "snapshot.py"}
