"""Conformance of one reply: HTTP status, JSON object, envelope and types, and its schema.

A failure is a ``Violation`` that names the rule, the request (as a curl line, key redacted), what was
expected and what came back.
"""

from __future__ import annotations

import json
from typing import Any

from sms_rent_mock import schemas
from sms_rent_mock.schemas.dialects import DIALECTS

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
    return DIALECTS[reply.provider].envelope.is_error(reply.body)


def error_code(reply: Reply) -> str:
    return DIALECTS[reply.provider].envelope.code_of(reply.body)


def conform(target: Target, reply: Reply, *, profile: str = "live") -> Any:
    """Check a reply against the envelope and its schema; returns the parsed body."""
    if reply.status != 200:
        raise Violation("http-status", reply, 200, reply.status, target)
    if not isinstance(reply.body, (dict, list)):
        raise Violation("json-body", reply, "a JSON object", reply.text[:80], target)
    if reply.content_type.split(";")[0].strip().lower() != "application/json":
        # clients that check the media type (aiohttp's ``json()``) refuse anything else
        raise Violation("content-type:json", reply, "Content-Type: application/json", reply.content_type, target)
    envelope = DIALECTS[reply.provider].envelope
    status = reply.body.get(envelope.status) if isinstance(reply.body, dict) else None
    numbers = [v for v in (envelope.failed, *envelope.success) if type(v) is int]
    # a status that is always there (success or failure) is an integer; an error code is text, never digits
    if (type(status) is not int or status not in numbers) if not envelope.bare else \
            (isinstance(status, str) and status.isdigit()):
        raise Violation(f"envelope:{envelope.status}-integer", reply,
                        f"{envelope.status} {' or '.join(map(str, numbers))} (an integer)", status, target)
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
