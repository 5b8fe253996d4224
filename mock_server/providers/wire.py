"""What both dialects' handlers share on the wire: the profile, checks against the request schema,
replies (``exchange.Reply``) that remember which response schema they must satisfy, and transactions
committed only with a success reply. Parameters are ``request_params``'s; envelopes are
``sms_rent_mock.schemas.dialects``'."""

from __future__ import annotations

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


def committed(world: World, build: Callable[[], Reply]) -> Reply:
    """Build a state-changing call's reply inside one transaction, committed only when the reply is a
    success and fully rendered: a refusal or a failure while rendering leaves the store as it was, so
    a charge without its success answer cannot happen."""
    try:
        with world.store.unit_of_work():
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
    """The first way ``values`` break the method's request schema, as (parameter, error code), or None.
    A pure function of its arguments (schemas never change while serving), so answers are remembered:
    a client polling the same URLs is checked once per distinct set of parameters (small ones only, so
    the cache stays small: at most ``_PROBLEMS`` entries of at most ``_MEMO_CHARS`` characters)."""
    items = tuple(values.items())
    if sum(len(k) + len(v) for k, v in items) > _MEMO_CHARS:
        return _problem.__wrapped__(provider, method, items, fallback)
    return _problem(provider, method, items, fallback)


_PROBLEMS, _MEMO_CHARS = 4096, 512


@lru_cache(maxsize=_PROBLEMS)
def _problem(provider: str, method: str, items: tuple[tuple[str, str], ...], fallback: str) -> tuple[str, str] | None:
    values = dict(items)
    missing, invalid = _rules(provider, method)
    for name, code in missing:
        if values.get(name, "") == "":
            return name, code or fallback
    errors = sorted(schemas.validator(provider, f"{method}.request").iter_errors(values), key=lambda e: list(e.path))
    for error in errors:
        name = str(error.path[0]) if error.path else ""
        return name, invalid.get(name if name in invalid else "") or fallback
    return None


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
