"""What keeps a web page from driving the control API: the checks every ``/_mock/`` request passes first.

A browser sends some requests cross-site without asking the server first (a form post, a text/plain
``fetch``); a page can also rebind its own host name to 127.0.0.1. So a control request is refused
when its ``Host`` is neither loopback nor an allowed host (403), when it carries an ``Origin`` that is
not the mock's own (403), and when it changes state without ``Content-Type: application/json`` (415),
which no browser sends cross-site without a preflight that the ``Origin`` rule refuses.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
LOOPBACK_NAMES = ("localhost",)
JSON_TYPE = "application/json"


class Refusal(Exception):
    """A request the guard turns away: ``status`` (403 or 415) and the sentence the client gets."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


def hostname(host: str) -> str:
    """``host`` from a ``Host`` header or an origin's netloc, without its port, lower case: ``[::1]:80`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def is_loopback(name: str) -> bool:
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_hosts(value: Any) -> tuple[str, ...]:
    """The ``ALLOWED_HOSTS`` setting as host names: a list, or one string of comma-separated names."""
    items: Iterable[Any] = value.split(",") if isinstance(value, str) else (value or ())
    return tuple(hostname(str(item)) for item in items if str(item).strip())


def check_host(host: str, allowed: tuple[str, ...]) -> None:
    name = hostname(host)
    if is_loopback(name) or "*" in allowed or name in allowed:
        return
    raise Refusal(403, f"the control API answers only on loopback or an allowed host, not {name[:100]!r}; "
                       "start serve with --allow-host HOST to allow it", "Host")


def check_origin(origin: str | None, host: str) -> None:
    """An ``Origin`` header, when there is one, must name the host the request was sent to."""
    if origin is None:
        return
    netloc = urlsplit(origin.strip()).netloc if "://" in origin else ""
    if not netloc or netloc.lower() != host.strip().lower():
        raise Refusal(403, "the control API refuses requests from other sites (Origin is not this mock)", "Origin")


def check_content_type(method: str, mimetype: str) -> None:
    if method.upper() not in SAFE_METHODS and mimetype != JSON_TYPE:
        raise Refusal(415, f"a control call that changes state needs Content-Type: {JSON_TYPE}, "
                           "even with an empty body", "Content-Type")


def check(method: str, host: str, origin: str | None, mimetype: str, allowed: tuple[str, ...]) -> None:
    """All three rules, in the order that tells a misconfigured client the most."""
    check_host(host, allowed)
    check_origin(origin, host)
    check_content_type(method, mimetype)


_ACCOUNT_PATH = re.compile(r"(/_mock/accounts/)[^?#\s]*")


def redacted(text: str, *secrets: str) -> str:
    """``text`` with every account key in a control path, and each of ``secrets``, replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _ACCOUNT_PATH.sub(r"\1***", text)
