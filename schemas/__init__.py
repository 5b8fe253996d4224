"""JSON Schemas for every request and response, the single source of truth for server, OpenAPI and kit.

Files live at ``schemas/<provider>/<name>.json`` (draft-07, self-contained). Names follow
``<method>.request``, ``<method>.response`` and, where the documented shape differs from what live
clients parse, ``<method>.response.documented``; ``error`` is the provider's error envelope.
Request properties may carry ``x-error`` (code when the value is invalid) and ``x-missing-error``
(code when it is absent): the provider answers with that code.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft7Validator

__all__ = ["load", "names", "providers", "response_name", "validator"]

PROFILES = ("live", "documented")


@cache
def load(provider: str, name: str) -> dict[str, Any]:
    """One schema as a dict; callers treat it as read-only."""
    text = files(__name__).joinpath(provider, f"{name}.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def validator(provider: str, name: str) -> Draft7Validator:
    """A compiled validator (schema checked once, format checks on)."""
    schema = load(provider, name)
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


@cache
def names(provider: str) -> tuple[str, ...]:
    """Every schema name of one provider, sorted."""
    folder = files(__name__).joinpath(provider)
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json")))


def providers() -> tuple[str, ...]:
    return tuple(sorted(p.name for p in files(__name__).iterdir() if p.is_dir() and not p.name.startswith("_")))


def response_name(provider: str, method: str, profile: str = "live") -> str:
    """The response schema of ``method`` in ``profile``, falling back to the shared one."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    specific = f"{method}.response.{profile}"
    return specific if specific in names(provider) else f"{method}.response"
