"""What both dialects share on the wire: merged parameters, checks against the request schema, and
replies that remember which response schema they must satisfy."""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any

from flask import Response, current_app, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

import schemas

from .. import json_body
from ..domain import World

log = logging.getLogger("sms_rent_mock")
NOT_JSON = "the body is not valid JSON"  # json_body's message for a body that does not parse at all


def world() -> World:
    found: World = current_app.extensions["rental_world"]
    return found


def profile() -> str:
    return str(current_app.config["PROFILE"])


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
    Merged once per request (dispatch, fault rules and the journal all ask); each caller gets a copy."""
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


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__("refused")
        self.response = response


def committed(build: Callable[[], Response]) -> Response:
    """Build a state-changing call's reply inside one transaction, committed only when the reply is a
    success and fully rendered: a refusal or a failure while rendering leaves the store as it was, so
    a charge without its success answer cannot happen."""
    try:
        with world().store.unit_of_work():
            response = build()
            if g.get("mock_outcome") != "ok":
                raise _Refused(response)
    except _Refused as refused:
        return refused.response
    return response


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
    """The first way ``values`` break the method's request schema, as (parameter, error code), or None."""
    missing, invalid = _rules(provider, method)
    for name, code in missing:
        if values.get(name, "") == "":
            return name, code or fallback
    errors = sorted(schemas.validator(provider, f"{method}.request").iter_errors(values), key=lambda e: list(e.path))
    for error in errors:
        name = str(error.path[0]) if error.path else ""
        return name, invalid.get(name if name in invalid else "") or fallback
    return None


def outcome(provider: str, body: Any) -> str:
    """For the journal: ``ok``, the provider's error code or message, or ``malformed``."""
    if provider == "onlinesim":
        if isinstance(body, dict) and "response" in body:
            return "ok" if body["response"] in (1, True, "1") else str(body["response"])
        return "ok" if body is not None else "malformed"
    if isinstance(body, dict) and "status" in body:
        return "ok" if body["status"] == 1 else str(body.get("msg", ""))
    return "malformed"


def reply(provider: str, schema_name: str, body: Any) -> Response:
    """A JSON reply (HTTP 200) that must validate against ``schemas/<provider>/<schema_name>.json``."""
    g.response_schema = (provider, schema_name)
    g.mock_outcome = outcome(provider, body)  # the journal need not parse the body again
    return jsonify(body)


def schema_check(response: Response) -> Response:
    """after_request hook (``VALIDATE``): check each reply against the schema its view named."""
    target = g.get("response_schema")
    if target is None or not response.is_json:
        return response
    errors = list(schemas.validator(*target).iter_errors(response.get_json()))
    if errors:
        message = f"{target[0]}/{target[1]}: {errors[0].message} at {list(errors[0].absolute_path)}"
        if current_app.config["VALIDATE"] == "raise":
            raise AssertionError("response breaks its schema: " + message)
        log.warning("schema violation %s", message)
        response.headers["X-Mock-Schema-Violation"] = message[:500]
    return response


def schema_for(provider: str, method: str) -> str:
    """The response schema name of ``method`` in the configured profile."""
    return schemas.response_name(provider, method, profile())
