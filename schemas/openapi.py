"""An OpenAPI 3.1 document generated from the schema files (never written by hand).

Each JSON Schema becomes a component; its local ``#/definitions/...`` references are rewritten to
point inside that component. Paths and methods are the dialects' (``schemas/dialects.py``): OnlineSim
gets one path per method. SMSPVA multiplexes every method on one endpoint, which OpenAPI cannot split
by query value, so it is one operation whose ``method`` parameter is an enum and whose answer is any of
the methods' replies. The control API (``control``)
gets one operation per route, with its request and reply schemas, so their bounds show.
"""

from __future__ import annotations

import copy
from typing import Any

from . import PROFILES, load, response_name
from .dialects import DIALECTS

JSON = "application/json"


def _component(provider: str, name: str) -> str:
    return f"{provider}.{name}"


def _relocate(node: Any, base: str) -> Any:
    if isinstance(node, dict):
        out = {k: _relocate(v, base) for k, v in node.items() if k not in ("$schema", "$id")}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            out["$ref"] = f"#/components/schemas/{base}/definitions/{ref[len('#/definitions/'):]}"
        return out
    if isinstance(node, list):
        return [_relocate(v, base) for v in node]
    return node


def _ref(provider: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{_component(provider, name)}"}


def _parameters(provider: str, method: str, *, required: bool = True) -> list[dict[str, Any]]:
    schema = load(provider, f"{method}.request")
    needed = set(schema.get("required", ()))
    return [{"name": name, "in": "query", "required": required and name in needed,
             "description": prop.get("description", ""),
             "schema": {k: v for k, v in copy.deepcopy(prop).items() if k != "description"}}
            for name, prop in schema.get("properties", {}).items() if name != DIALECTS[provider].param]


def _methods(provider: str) -> list[str]:
    return sorted(DIALECTS[provider].methods)


def _operation(summary: str, parameters: list[dict[str, Any]], answers: list[dict[str, str]]) -> dict[str, Any]:
    return {"summary": summary, "parameters": parameters,
            "responses": {"200": {"description": "success or the provider's error envelope (always HTTP 200)",
                                  "content": {JSON: {"schema": {"anyOf": answers}}}}}}


# The control API (mock_server/control.py): (method, path, request schema or None, reply schema, status)
CONTROL_ROUTES: tuple[tuple[str, str, str | None, str, int], ...] = (
    ("post", "/_mock/reset", "reset.request", "reset.response", 200),
    ("get", "/_mock/clock", None, "clock.response", 200),
    ("post", "/_mock/clock", "clock.request", "clock.response", 200),
    ("get", "/_mock/accounts/{apikey}", None, "account.response", 200),
    ("put", "/_mock/accounts/{apikey}", "account.request", "account.response", 200),
    ("get", "/_mock/stock", None, "stock.response", 200),
    ("put", "/_mock/stock", "stock.request", "stock.response", 200),
    ("get", "/_mock/catalog", None, "catalog.response", 200),
    ("patch", "/_mock/catalog", "catalog.request", "catalog.response", 200),
    ("get", "/_mock/rentals/{id}", None, "rental.response", 200),
    ("patch", "/_mock/rentals/{id}", "rental.request", "rental.response", 200),
    ("post", "/_mock/sms", "sms.request", "sms.response", 200),
    ("get", "/_mock/settings", None, "settings.response", 200),
    ("patch", "/_mock/settings", "settings.request", "settings.response", 200),
    ("post", "/_mock/faults", "fault.request", "fault.response", 201),
    ("get", "/_mock/faults", None, "faults.response", 200),
    ("delete", "/_mock/faults", None, "deleted.response", 200),
    ("delete", "/_mock/faults/{id}", None, "deleted.response", 200),
    ("get", "/_mock/requests", None, "requests.response", 200),
    ("delete", "/_mock/requests", None, "deleted.response", 200),
    ("get", "/_mock/state", None, "state", 200),
    ("put", "/_mock/state", "state", "state", 200),
)
PATH_PARAMETERS = {
    "apikey": {"type": "string", "minLength": 1, "maxLength": 256},
    "id": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
}


def _control(paths: dict[str, Any], components: dict[str, Any]) -> None:
    """The control API's operations: request bodies and replies from ``schemas/control/``, so their
    bounds (maximum, maxLength, maxItems) are the document's; every refusal is ``control.error``."""
    for name in {"error", *(r[2] for r in CONTROL_ROUTES if r[2]), *(r[3] for r in CONTROL_ROUTES)}:
        components[_component("control", name)] = _relocate(load("control", name), _component("control", name))
    refused = {"description": "refused (400 bad input, 401 token, 403 Host or Origin, 404, 413 body too large, "
                              "415 not JSON); nothing changed", "content": {JSON: {"schema": _ref("control", "error")}}}
    for method, path, request, answer, status in CONTROL_ROUTES:
        operation: dict[str, Any] = {
            "summary": load("control", request or answer).get("title", path),
            "operationId": "control_" + method + path.removeprefix("/_mock").replace("/", "_").replace("{", "")
                           .replace("}", ""),
            "parameters": [{"name": n, "in": "path", "required": True, "schema": PATH_PARAMETERS[n]}
                           for n in PATH_PARAMETERS if "{" + n + "}" in path],
            "responses": {str(status): {"description": "done",
                                        "content": {JSON: {"schema": _ref("control", answer)}}}, "4XX": refused},
        }
        if request is not None:
            operation["requestBody"] = {"required": False,
                                        "content": {JSON: {"schema": _ref("control", request)}}}
        paths.setdefault(path, {})[method] = operation


def document(providers: tuple[str, ...] = ("onlinesim", "smspva", "control"), profile: str = "live") -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``providers`` (and the control API, ``control``) in ``profile``
    (``live`` or ``documented``)."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    paths: dict[str, Any] = {}
    components: dict[str, Any] = {}
    for provider in providers:
        if provider == "control":
            _control(paths, components)
            continue
        used = ["error"] + [response_name(provider, m, profile) for m in _methods(provider)]
        for name in used:
            components[_component(provider, name)] = _relocate(load(provider, name), _component(provider, name))
        error, dialect = _ref(provider, "error"), DIALECTS[provider]
        if dialect.param is not None and dialect.endpoint is not None:
            methods = _methods(provider)
            params = [{"name": dialect.param, "in": "query", "required": True, "schema": {"enum": methods}}]
            seen = {dialect.param}
            for method in methods:
                for param in _parameters(provider, method, required=False):
                    if param["name"] not in seen:
                        seen.add(param["name"])
                        params.append(param)
            answers = [_ref(provider, response_name(provider, m, profile)) for m in methods]
            summary = f"{provider.upper()} rental API ({dialect.param}=...)"
            paths[dialect.endpoint] = {"get": {**_operation(summary, params, [*answers, error]),
                                               "operationId": f"{provider}_rent"}}
            continue
        for method in _methods(provider):
            operation = _operation(load(provider, f"{method}.request").get("description", method),
                                   _parameters(provider, method), [_ref(provider, response_name(provider, method,
                                                                                                   profile)), error])
            paths[dialect.path(method)] = {"get": {**operation, "operationId": f"{provider}_{method}"}}
    return {"openapi": "3.1.0",
            "info": {"title": "sms-rent-mock: OnlineSim and SMSPVA rental APIs", "version": "1.0.0",
                     "description": f"Generated from the package's JSON Schemas; profile {profile}."},
            "paths": paths, "components": {"schemas": components}}
