"""A provider request's parameters: query, form and JSON body merged into strings, once per request
(dispatch, fault rules and the journal all ask), and why a body was refused."""

from __future__ import annotations

import json
from typing import Any

from flask import g, request
from werkzeug.exceptions import RequestEntityTooLarge

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


def params() -> dict[str, str]:
    """Query, form and JSON-body parameters as strings (the query wins); a bearer token counts as apikey.
    Merged once per request; each caller gets a copy."""
    cached = g.get("request_params")
    if cached is None:
        cached = g.request_params = _merged_params()
    return dict(cached)


def _merged_params() -> dict[str, str]:
    merged: dict[str, str] = {}
    if request.is_json:
        body = _json_body()
        if isinstance(body, dict):
            merged.update({str(k): _text(v) for k, v in body.items()})
    try:
        if request.mimetype in FORMS:  # werkzeug parses no other body as a form; skip building its parser
            merged.update(request.form.to_dict())
    except RequestEntityTooLarge:  # werkzeug's form limits (fields, memory): refused like a JSON body
        g.body_error = json_body.BodyError("the form body is too large", 413)
    merged.update(request.args.to_dict())
    if not merged.get("apikey", "x").strip():
        del merged["apikey"]  # a blank key is no key, never an account
    auth = request.headers.get("Authorization", "")
    if not merged.get("apikey") and auth.lower().startswith("bearer ") and auth[7:].strip():
        merged["apikey"] = auth[7:].strip()
    return merged


def _json_body() -> Any:
    """The JSON body within ``json_body``'s bounds. A body beyond them (too large, too deep, NaN or
    Infinity) is remembered for ``body_problem`` (fault rules and the journal read parameters too, and
    must not fail on it) and counts as absent; a body that is not JSON at all is ignored, as before."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return json_body.parse(raw)
    except json_body.BodyError as exc:
        if exc.message != NOT_JSON:
            g.body_error = exc
        return None


def body_problem() -> json_body.BodyError | None:
    """Why the request body was refused (too large, too deep, not JSON, NaN), or None."""
    params()
    found: json_body.BodyError | None = g.get("body_error")
    return found
