"""Hostile input never breaks the control API: bodies drawn from each control request schema, mixed with
NaN, infinities, huge integers, wrong types and deep nesting, never get a 5xx, and a refused call (or
import) leaves the state export exactly as it was."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sms_rent_mock import schemas

from .control_helpers import KEY, Mock, mock

HUGE_INTS = [2**63, -(2**63) - 1, 10**23, 10**40]
HOSTILE_SCALARS: list[Any] = [float("nan"), float("inf"), float("-inf"), 1e300, -1e300, 1e-300, *HUGE_INTS,
                              -1, 0, 1.5, True, None, "", " ", "x" * 5000, "\x00", "NaN", "1e300", "٣", [], {}]
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def nested(depth: int) -> Any:
    value: Any = 1
    for i in range(depth):
        value = [value] if i % 2 else {"a": value}
    return value


HOSTILE = st.one_of(st.sampled_from(HOSTILE_SCALARS), st.integers(min_value=20, max_value=60).map(nested),
                    st.text(max_size=20))


def from_schema(schema: dict[str, Any], root: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of a (draft-07) schema: enough of it for the control request schemas, no more."""
    if "$ref" in schema:
        return from_schema(root["definitions"][schema["$ref"].rsplit("/", 1)[1]], root, depth)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kinds = schema.get("type", "object" if "properties" in schema else None)
    if kinds is None:
        return st.one_of(st.integers(), st.text(max_size=10), st.booleans(), st.none())
    if isinstance(kinds, list):
        return st.one_of(*(from_schema({**schema, "type": k}, root, depth) for k in kinds))
    low, high = schema.get("minimum"), schema.get("maximum")
    if kinds == "integer":
        return st.integers(min_value=None if low is None else int(low), max_value=None if high is None else int(high))
    if kinds == "number":
        if "exclusiveMinimum" in schema:
            return st.floats(min_value=schema["exclusiveMinimum"], max_value=high, exclude_min=True)
        return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)
    if kinds == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=schema["pattern"].startswith("^")).filter(
                lambda s: len(s) <= schema.get("maxLength", 10_000))
        return st.text(min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 20), 20))
    if kinds == "boolean":
        return st.booleans()
    if kinds == "null":
        return st.none()
    if kinds == "array":
        return st.lists(from_schema(schema.get("items", {}), root, depth + 1), max_size=3)
    props = schema.get("properties", {})
    if not props or depth > 3:
        return st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3)
    required = [k for k in schema.get("required", ()) if k in props]
    return st.fixed_dictionaries({k: from_schema(props[k], root, depth + 1) for k in required},
                                 optional={k: from_schema(v, root, depth + 1) for k, v in props.items()
                                           if k not in required})


def hostile_body(name: str) -> st.SearchStrategy[Any]:
    """A body of ``schemas/control/<name>.json``, often with one field (named by the schema, or unknown)
    set to a hostile value."""
    schema = schemas.load("control", name)
    valid = from_schema(schema, schema)
    fields = sorted(schema.get("properties", {})) + ["unknown_field"]
    spoiled = st.tuples(valid, st.sampled_from(fields), HOSTILE).map(
        lambda parts: {**parts[0], parts[1]: parts[2]} if isinstance(parts[0], dict) else parts[0])
    return st.one_of(valid, spoiled, spoiled, HOSTILE)


def fast_mock() -> Mock:
    """Replies unchecked against their schemas: checking each state export would take most of the time
    (tests/test_control_hostile.py checks them)."""
    return mock(VALIDATE=False)


@pytest.fixture(scope="module")
def target() -> Iterator[Mock]:
    found = fast_mock()
    found.control.reset(scenario="with_history", apikey=KEY)
    yield found
    found.world.store.close()


def frozen_export(target: Mock) -> Any:
    """The state export on a stopped clock (a call that succeeded may have set it running)."""
    target.client.post("/_mock/clock", json={"mode": "frozen"})
    answer = target.client.get("/_mock/state")
    assert answer.status_code == 200
    return answer.get_json()


def call(target: Mock, method: str, path: str, body: Any) -> Any:
    raw = json.dumps(body)  # NaN and Infinity as the JSON-ish tokens a careless client writes
    return target.client.open(path, method=method, data=raw, content_type="application/json")


def check_refusal_changed_nothing(target: Mock, method: str, path: str, body: Any) -> None:
    before = frozen_export(target)
    answer = call(target, method, path, body)
    assert answer.status_code < 500, (path, body, answer.get_data(as_text=True)[:500])
    assert answer.is_json and isinstance(answer.get_json(), dict)
    if answer.status_code >= 400:
        assert set(answer.get_json()) == {"error", "field"}
        assert frozen_export(target) == before, (path, body)


ROUTES = [
    ("POST", "/_mock/reset", "reset.request"),
    ("POST", "/_mock/clock", "clock.request"),
    ("PUT", f"/_mock/accounts/{KEY}", "account.request"),
    ("PUT", "/_mock/stock", "stock.request"),
    ("PATCH", "/_mock/catalog", "catalog.request"),
    ("PATCH", "/_mock/rentals/100000", "rental.request"),
    ("POST", "/_mock/sms", "sms.request"),
    ("PATCH", "/_mock/settings", "settings.request"),
    ("POST", "/_mock/faults", "fault.request"),
]


def test_every_request_schema_has_a_route_here() -> None:
    requests = {n for n in schemas.names("control") if n.endswith(".request")}
    assert requests == {name for _, _, name in ROUTES}


@pytest.mark.parametrize(("method", "path", "name"), ROUTES, ids=[n for _, _, n in ROUTES])
def test_hostile_bodies_get_4xx_and_change_nothing(target: Mock, method: str, path: str, name: str) -> None:
    @FUZZ
    @given(hostile_body(name))
    def probe(body: Any) -> None:
        check_refusal_changed_nothing(target, method, path, body)

    probe()
    assert target.world.audit() == []


SEGMENTS = st.one_of(st.sampled_from(["99999999999999999999999", "-1", "0", "%00", "%20", "x" * 300, "..", "%2F",
                                      "100000", KEY, "1e3", "%C2%B2"]), st.text(min_size=1, max_size=12).map(
    lambda s: re.sub(r"[/?#%]", "_", s)))


@FUZZ
@given(st.sampled_from(["GET", "PUT", "PATCH", "DELETE", "POST"]),
       st.sampled_from(["accounts/{}", "rentals/{}", "faults/{}", "stock?provider={}", "requests?limit={}",
                        "stock?provider=onlinesim&country={}", "openapi.json?profile={}"]),
       SEGMENTS, st.one_of(st.just({}), HOSTILE))
def test_hostile_paths_and_queries_get_4xx_and_change_nothing(method: str, template: str, segment: str,
                                                              body: Any) -> None:
    target = SHARED.get("mock") or SHARED.setdefault("mock", fast_mock())
    check_refusal_changed_nothing(target, method, "/_mock/" + template.format(segment), body)


SHARED: dict[str, Mock] = {}


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a document where a value sits (dict keys and list indices)."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value[:3]):
            yield from _paths(item, (*prefix, i))


def _replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    changed = copy.deepcopy(document)
    place = changed
    for step in path[:-1]:
        place = place[step]
    place[path[-1]] = value
    return changed


def test_hostile_imports_get_4xx_and_change_nothing(target: Mock) -> None:
    target.control.add_fault("onlinesim", "portReload", error="TRY_AGAIN_LATER", times=2, match={"tzid": 100000})
    good = frozen_export(target)
    places = list(_paths(good))

    @FUZZ
    @given(st.sampled_from(places), st.one_of(HOSTILE, st.sampled_from(["soon", "nope", "ghost", '{"nope": 1}',
                                                                        -5, 2**62, 10**20])))
    def probe(path: tuple[Any, ...], value: Any) -> None:
        check_refusal_changed_nothing(target, "PUT", "/_mock/state", _replaced(good, path, value))
        target.control.import_state(good)

    probe()
    assert target.world.audit() == []
