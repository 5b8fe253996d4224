"""A provider request's parameters: query, form and JSON body merged into strings, once per request
(the front keeps them on the ``Exchange``: dispatch, fault rules and the journal all read them), and why
a body was refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from . import json_body

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
NOT_JSON = "the body is not valid JSON"  # json_body's message for a body that does not parse at all


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (int, float, str)):
        return str(value)
    return json.dumps(value)


def merged(environ: dict[str, Any], request: Callable[[], Request]) -> tuple[dict[str, str], json_body.BodyError | None]:
    """Query, form and JSON-body parameters as strings (the query wins; a bearer token counts as apikey),
    and why the body was refused (too large, too deep, NaN), or None. A refused body counts as absent.
    ``request()`` gives the parsed request, asked for only when there is a body to read."""
    merged: dict[str, str] = {}
    problem = None
    if environ.get("CONTENT_TYPE"):  # without one, werkzeug reads no body as JSON or form
        body = request()
        if body.is_json:
            found, problem = _json_body(body)
            if isinstance(found, dict):
                merged.update({str(k): _text(v) for k, v in found.items()})
        try:
            if body.mimetype in FORMS:  # werkzeug parses no other body as a form; skip building its parser
                merged.update(body.form.to_dict())
        except RequestEntityTooLarge:  # werkzeug's form limits (fields, memory): refused like a JSON body
            problem = json_body.BodyError("the form body is too large", 413)
    merged.update(_query(environ))
    if not merged.get("apikey", "x").strip():
        del merged["apikey"]  # a blank key is no key, never an account
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if not merged.get("apikey") and auth.lower().startswith("bearer ") and auth[7:].strip():
        merged["apikey"] = auth[7:].strip()
    return merged, problem


def _query(environ: dict[str, Any]) -> dict[str, str]:
    """``request.args.to_dict()`` (the first of repeated names wins; invalid bytes stay percent-encoded),
    without building the request or a MultiDict."""
    found: dict[str, str] = {}
    raw = environ.get("QUERY_STRING", "").encode("latin1").decode()
    for name, value in parse_qsl(raw, keep_blank_values=True, errors="werkzeug.url_quote"):
        found.setdefault(name, value)
    return found


def _json_body(request: Request) -> tuple[Any, json_body.BodyError | None]:
    """The JSON body within ``json_body``'s bounds, or None with why it was refused (too large, too deep,
    NaN or Infinity); a body that is not JSON at all is ignored, as before."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None, None
    try:
        return json_body.parse(raw), None
    except json_body.BodyError as exc:
        return None, (None if exc.message == NOT_JSON else exc)
