"""Conformance of one reply: HTTP status, JSON object, envelope and types, and its schema.

A failure is a ``Violation`` that names the rule, the request (as a curl line, key redacted), what was
expected and what came back.
"""

from __future__ import annotations

import json
from typing import Any

import schemas

from .target import Reply, Target


class Violation(AssertionError):
    """A target broke a rule. ``rule`` is short and stable (``schema:onlinesim/getRentNum.response``)."""

    def __init__(self, rule: str, reply: Reply | None, expected: Any, actual: Any, target: Target | None = None) -> None:
        self.rule = rule
        self.reply = reply
        request = reply.curl(target.base_url) if reply is not None and target is not None else ""
        text = f"[{rule}] expected {expected!r}, got {actual!r}"
        if request:
            text += f"\n  request: {request}"
        if reply is not None:
            text += f"\n  answer: HTTP {reply.status} {reply.text[:300]}"
        super().__init__(target.redact(text) if target else text)


def is_error(reply: Reply) -> bool:
    """Whether the (already conforming) reply is the provider's error envelope."""
    body = reply.body
    if reply.provider == "smspva":
        return isinstance(body, dict) and body.get("status") == 0
    return isinstance(body, dict) and "response" in body and body["response"] not in (1, True)


def error_code(reply: Reply) -> str:
    body = reply.body if isinstance(reply.body, dict) else {}
    return str(body.get("msg") if reply.provider == "smspva" else body.get("response"))


def conform(target: Target, reply: Reply, *, profile: str = "live") -> Any:
    """Check a reply against the envelope and its schema; returns the parsed body."""
    if reply.status != 200:
        raise Violation("http-status", reply, 200, reply.status, target)
    if not isinstance(reply.body, (dict, list)):
        raise Violation("json-body", reply, "a JSON object", reply.text[:80], target)
    if reply.content_type.split(";")[0].strip().lower() != "application/json":
        # clients that check the media type (aiohttp's ``json()``) refuse anything else
        raise Violation("content-type:json", reply, "Content-Type: application/json", reply.content_type, target)
    if reply.provider == "smspva":
        status = reply.body.get("status") if isinstance(reply.body, dict) else None
        if type(status) is not int or status not in (0, 1):
            raise Violation("envelope:status-integer", reply, "status 0 or 1 (an integer)", status, target)
    elif isinstance(reply.body, dict) and "response" in reply.body and isinstance(reply.body["response"], str) \
            and reply.body["response"].isdigit():
        raise Violation("envelope:response-integer", reply, "response 1 (an integer)", reply.body["response"], target)
    name = "error" if is_error(reply) else schemas.response_name(reply.provider, reply.method, profile)
    errors = sorted(schemas.validator(reply.provider, name).iter_errors(reply.body), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(map(str, first.absolute_path)) or "(root)"
        raise Violation(f"schema:{reply.provider}/{name}", reply, f"{where}: {first.message[:200]}",
                        json.dumps(first.instance)[:120], target)
    return reply.body


def expect(target: Target, reply: Reply, rule: str, expected: Any, actual: Any) -> None:
    """Fail with ``rule`` unless ``actual == expected``."""
    if actual != expected:
        raise Violation(rule, reply, expected, actual, target)


def expect_error(target: Target, reply: Reply, code: str, *, profile: str = "live") -> None:
    conform(target, reply, profile=profile)
    expect(target, reply, f"error-code:{reply.method}", code, error_code(reply) if is_error(reply) else "success")


def expect_success(target: Target, reply: Reply, rule: str, *, profile: str = "live") -> Any:
    body = conform(target, reply, profile=profile)
    if is_error(reply):
        raise Violation(rule, reply, "success", error_code(reply), target)
    return body
