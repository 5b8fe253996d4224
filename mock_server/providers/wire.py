"""What both dialects' handlers share on the wire: the profile, checks against the request schema,
replies (``exchange.Reply``) that remember which response schema they must satisfy, and transactions
committed only with a success reply. Parameters are ``request_params``'s; envelopes are
``sms_rent_mock.schemas.dialects``'."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from sms_rent_mock import schemas
from sms_rent_mock.schemas.dialects import DIALECTS

from ..domain import World
from ..exchange import Reply, current

log = logging.getLogger("sms_rent_mock")


def profile() -> str:
    """The profile of the request being served (``live`` or ``documented``; outside one, the default ``live``)."""
    found = current()
    return "live" if found is None else found.profile


class _Refused(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__("refused")
        self.reply = reply


def committed(world: World, build: Callable[[], Reply], apikey: str | None = None) -> Reply:
    """Build a state-changing call's reply inside one transaction, committed only when the reply is a
    success and fully rendered: a refusal or a failure while rendering leaves the store as it was, so
    a charge without its success answer cannot happen. (The domain's unit of work for ``apikey``: the
    one it opens again inside for the same key then reads nothing more before its first change.)"""
    try:
        with world.unit_of_work(apikey):
            reply = build()
            if reply.outcome != "ok":
                raise _Refused(reply)
    except _Refused as refused:
        return refused.reply
    return reply


@cache
def _rules(provider: str, method: str) -> tuple[tuple[tuple[str, str], ...], dict[str, str]]:
    schema = schemas.load(provider, f"{method}.request")
    props = schema.get("properties", {})
    missing = tuple((name, props.get(name, {}).get("x-missing-error", "")) for name in schema.get("required", ()))
    invalid = {name: prop.get("x-error", "") for name, prop in props.items()}
    others = schema.get("additionalProperties")
    if isinstance(others, dict) and others.get("x-error"):
        invalid[""] = others["x-error"]  # any parameter the schema does not name
    return missing, invalid


def problem(provider: str, method: str, values: dict[str, str], *, fallback: str) -> tuple[str, str] | None:
    """The first way ``values`` break the method's request schema, as (parameter, error code), or None:
    a missing required parameter first, then the first parameter (in name order, as jsonschema sorts its
    errors) whose value the schema rejects. Schemas never change while serving, so answers are remembered
    (small ones only: at most ``_PROBLEMS`` entries of at most ``_MEMO_CHARS`` characters), for a whole
    set of parameters and, where the schema judges each parameter alone, for each (name, value): a new
    ``tzid`` beside a known key is one small check, not the whole schema again."""
    items = tuple(values.items())
    if sum(len(k) + len(v) for k, v in items) > _MEMO_CHARS:
        return _problem.__wrapped__(provider, method, items, fallback)
    return _problem(provider, method, items, fallback)


_PROBLEMS, _MEMO_CHARS = 4096, 512
# a schema judges each parameter alone when it says nothing but these of the object as a whole
_SEPARABLE = {"$schema", "$id", "title", "description", "type", "properties", "required", "additionalProperties"}


@lru_cache(maxsize=_PROBLEMS)
def _problem(provider: str, method: str, items: tuple[tuple[str, str], ...], fallback: str) -> tuple[str, str] | None:
    values = dict(items)
    missing, invalid = _rules(provider, method)
    for name, code in missing:
        if values.get(name, "") == "":
            return name, code or fallback
    if _separable(provider, method):
        name = _rejected_name(provider, method, values)
    else:
        errors = sorted(schemas.validator(provider, f"{method}.request").iter_errors(values),
                        key=lambda e: list(e.path))
        name = None if not errors else str(errors[0].path[0]) if errors[0].path else ""
    if name is None:
        return None
    return name, invalid.get(name if name in invalid else "") or fallback


@cache
def _separable(provider: str, method: str) -> bool:
    schema = schemas.load(provider, f"{method}.request")
    return set(schema) <= _SEPARABLE and schema.get("type") == "object" and "$ref" not in json.dumps(schema)


def _rejected_name(provider: str, method: str, values: dict[str, str]) -> str | None:
    """The parameter jsonschema's sorted errors would name first ("" for one the schema forbids), or None."""
    schema = schemas.load(provider, f"{method}.request")
    props, others = schema.get("properties", {}), schema.get("additionalProperties", True)
    if others is False and any(name not in props for name in values):
        return ""
    for name in sorted(values):
        if (name in props or isinstance(others, dict)) and not _accepts(provider, method, name, values[name]):
            return name
    return None


def _accepts(provider: str, method: str, name: str, value: str) -> bool:
    if len(name) + len(value) > _MEMO_CHARS:
        return _accepts_value.__wrapped__(provider, method, name, value)
    return _accepts_value(provider, method, name, value)


@lru_cache(maxsize=_PROBLEMS)
def _accepts_value(provider: str, method: str, name: str, value: str) -> bool:
    return _part(provider, method, name).is_valid(value)


@cache
def _part(provider: str, method: str, name: str) -> Any:
    """The validator of one parameter's schema (a named one, or the one for any other name)."""
    schema = schemas.load(provider, f"{method}.request")
    part = schema.get("properties", {}).get(name, schema.get("additionalProperties", True))
    return schemas.validator(provider, f"{method}.request").evolve(schema=part)


def reply(provider: str, schema_name: str, body: Any) -> Reply:
    """A JSON reply (HTTP 200) that must validate against ``schemas/<provider>/<schema_name>.json``;
    its outcome is read once here, so the journal need not parse the body again."""
    return Reply(body, schema=(provider, schema_name), outcome=DIALECTS[provider].envelope.outcome(body))


def violation(target: tuple[str, str], body: Any, mode: Any) -> str | None:
    """``VALIDATE``: how ``body`` breaks the schema ``target`` names (logged; ``raise``: AssertionError), or None."""
    errors = list(schemas.validator(*target).iter_errors(body))
    if not errors:
        return None
    message = f"{target[0]}/{target[1]}: {errors[0].message} at {list(errors[0].absolute_path)}"
    if mode == "raise":
        raise AssertionError("response breaks its schema: " + message)
    log.warning("schema violation %s", message)
    return message[:500]


def schema_for(provider: str, method: str) -> str:
    """The response schema name of ``method`` in the configured profile."""
    return schemas.response_name(provider, method, profile())
