"""An OpenAPI 3.1 document generated from the schema files (never written by hand).

Each JSON Schema becomes a component; its local ``#/definitions/...`` references are rewritten to
point inside that component. OnlineSim gets one path per method. SMSPVA multiplexes every method on
``/api/rent.php``, which OpenAPI cannot split by query value, so it is one operation whose ``method``
parameter is an enum and whose answer is any of the methods' replies.
"""

from __future__ import annotations

import copy
from typing import Any

from . import PROFILES, load, names, response_name

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
            for name, prop in schema.get("properties", {}).items() if name != "method"]


def _methods(provider: str) -> list[str]:
    return [n.removesuffix(".request") for n in names(provider) if n.endswith(".request")]


def _operation(summary: str, parameters: list[dict[str, Any]], answers: list[dict[str, str]]) -> dict[str, Any]:
    return {"summary": summary, "parameters": parameters,
            "responses": {"200": {"description": "success or the provider's error envelope (always HTTP 200)",
                                  "content": {JSON: {"schema": {"anyOf": answers}}}}}}


def document(providers: tuple[str, ...] = ("onlinesim", "smspva"), profile: str = "live") -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``providers`` in ``profile`` (``live`` or ``documented``)."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    paths: dict[str, Any] = {}
    components: dict[str, Any] = {}
    for provider in providers:
        used = ["error"] + [response_name(provider, m, profile) for m in _methods(provider)]
        for name in used:
            components[_component(provider, name)] = _relocate(load(provider, name), _component(provider, name))
        error = _ref(provider, "error")
        if provider == "smspva":
            methods = _methods(provider)
            params = [{"name": "method", "in": "query", "required": True, "schema": {"enum": methods}}]
            seen = {"method"}
            for method in methods:
                for param in _parameters(provider, method, required=False):
                    if param["name"] not in seen:
                        seen.add(param["name"])
                        params.append(param)
            answers = [_ref(provider, response_name(provider, m, profile)) for m in methods]
            paths["/api/rent.php"] = {"get": {**_operation("SMSPVA rental API (method=...)", params,
                                                           [*answers, error]), "operationId": "smspva_rent"}}
            continue
        for method in _methods(provider):
            path = "/api/getBalance.php" if method == "getBalance" else f"/api/rent/{method}.php"
            operation = _operation(load(provider, f"{method}.request").get("description", method),
                                   _parameters(provider, method), [_ref(provider, response_name(provider, method,
                                                                                                   profile)), error])
            paths[path] = {"get": {**operation, "operationId": f"{provider}_{method}"}}
    return {"openapi": "3.1.0",
            "info": {"title": "sms-rent-mock: OnlineSim and SMSPVA rental APIs", "version": "1.0.0",
                     "description": f"Generated from the package's JSON Schemas; profile {profile}."},
            "paths": paths, "components": {"schemas": components}}
