"""Hypothesis over every provider method of both providers with hostile values and every way of sending
them: never a 5xx, and a call that is not answered with success changes nothing stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sms_rent_mock import schemas
from sms_rent_mock.contract_tests.invalid import BASELINES, request_methods
from sms_rent_mock.mock_server.domain.snapshot import STATE_TABLES
from sms_rent_mock.schemas.dialects import DIALECTS

from .conftest import make_app

pytestmark = pytest.mark.usefixtures("backend")  # hostile input on SQLite and PostgreSQL (NUL, sizes)

KEY = "fuzz-key"
APP = make_app(START_BALANCE=100_000, MAX_CONCURRENT=1000)
CLIENT: FlaskClient = APP.test_client()
WORLD = APP.extensions["rental_world"]
CLIENT.get("/api/getBalance.php", query_string={"apikey": KEY})  # the account exists before the first example

CALLS = [(p, m) for p in ("onlinesim", "smspva") for m in request_methods(p)]
READ_ONLY = {p: {m.name for m in d.methods.values() if m.read_only} for p, d in DIALECTS.items()}

HOSTILE_TEXT = st.one_of(
    st.sampled_from(["", " ", "\t", "NaN", "nan", "Infinity", "-Infinity", "1e3", "1e400", "-1", "0", "1.5", "0x10",
                     "9" * 20, "9" * 400, "١٢", "\x00", "null", "[]", "{}", "true", "' OR 1=1 --", "x" * 300,
                     "x" * 1100, "%00", "../../etc/passwd", "week", "month", "day", "RU", "7", "opt6"]),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
JSON_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), HOSTILE_TEXT,
    st.recursive(st.integers(), lambda inner: st.lists(inner, max_size=3), max_leaves=6),
)


def state() -> dict[str, list[tuple[Any, ...]]]:
    db = WORLD.store.db
    return {t: sorted(tuple(r) for r in db.execute(f"SELECT * FROM {t}")) for t in STATE_TABLES}


class RentalRef(int):
    """The n-th most recent rental of the provider, resolved when the call is sent (drawing must not
    depend on the store's state, or Hypothesis cannot replay an example)."""


def resolve(provider: str, values: dict[str, Any]) -> dict[str, Any]:
    ids = rental_ids(provider)
    return {k: ids[v % len(ids)] if isinstance(v, RentalRef) else v for k, v in values.items()}


def rental_ids(provider: str) -> list[str]:
    found = [str(r[0]) for r in WORLD.store.db.execute(
        "SELECT id FROM rentals WHERE provider = ? ORDER BY closed_at IS NULL DESC, id DESC LIMIT 20", (provider,))]
    return found or ["1"]


@st.composite
def calls(draw: st.DrawFn) -> tuple[str, str, str, dict[str, Any], str, Any]:
    """(provider, method, HTTP method, parameters, how they are sent, a raw body or None)."""
    provider, method = draw(st.sampled_from(CALLS))
    props = schemas.load(provider, f"{method}.request").get("properties", {})
    baseline = {k: str(v) for k, v in BASELINES[provider].get(method, {}).items()}
    values: dict[str, Any] = {}
    for name in props:
        if name == "method":
            continue
        choice = draw(st.sampled_from(["baseline", "baseline", "baseline", "hostile", "absent"]))  # mostly valid calls
        if name == "apikey":
            values[name] = KEY if choice != "hostile" else draw(HOSTILE_TEXT)
        elif choice == "baseline" and name in ("tzid", "id"):  # a rental that exists, so the call can succeed
            values[name] = RentalRef(draw(st.integers(0, 19)))
        elif choice == "baseline" and name in ("pagination", "page"):
            values[name] = draw(st.sampled_from(["", "0", "1", "true", "True", " 2 "]))
        elif choice == "baseline" and name in baseline:
            values[name] = baseline[name]
        elif choice == "hostile":
            values[name] = draw(HOSTILE_TEXT)
    if draw(st.booleans()):  # a parameter the method may not declare: every method reads the same merged values
        values[draw(st.sampled_from(["page", "page", "pagination", "extra", "lang", "partner_key"]))] = draw(HOSTILE_TEXT)
    via = draw(st.sampled_from(["query", "form", "json", "json-typed", "mixed", "deep"]))
    verb = draw(st.sampled_from(["GET", "GET", "GET", "POST", "HEAD"]))
    raw = None
    if via == "json-typed":
        raw = json.dumps({k: draw(JSON_VALUE) for k in values}, allow_nan=True)
    elif via == "deep":
        levels = draw(st.sampled_from([33, 1000, 10_000]))
        raw = '{"apikey": "' + KEY + '", "x": ' + "[" * levels + "]" * levels + "}"
    return provider, method, verb, values, via, raw


def send(provider: str, method: str, verb: str, values: dict[str, Any], via: str, raw: Any) -> Any:
    path = "/api/rent.php" if provider == "smspva" else (
        "/api/getBalance.php" if method == "getBalance" else f"/api/rent/{method}.php")
    query: dict[str, Any] = {"method": method} if provider == "smspva" else {}
    kwargs: dict[str, Any] = {}
    if via == "query":
        query.update(values)
    elif via == "form":
        kwargs["data"] = values
    elif via == "json":
        kwargs["json"] = values
    elif via == "mixed":
        names = sorted(values)
        query.update({k: values[k] for k in names[::2]})
        kwargs["data"] = {k: values[k] for k in names[1::2]}
    else:
        kwargs.update(data=raw, content_type="application/json")
    return CLIENT.open(path, method=verb, query_string=query, **kwargs)


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(calls())
@example(("onlinesim", "getRentNum", "GET", {"apikey": KEY, "country": "7", "days": "1", "page": "abc"}, "query", None))
@example(("onlinesim", "getRentNum", "POST", {"apikey": KEY, "country": "7", "days": "1", "page": "1e3"}, "form", None))
@example(("smspva", "create", "HEAD", {"apikey": KEY, "dtype": "week", "dcount": "1", "country": "RU",
                                       "service": "opt6"}, "query", None))
def test_hostile_provider_calls_never_5xx_and_refusals_change_nothing(call: tuple[Any, ...]) -> None:
    provider, method, verb, values, via, raw = call
    values = resolve(provider, values)
    before = state()
    response = send(provider, method, verb, values, via, raw)
    assert response.status_code < 500, (call, response.data[:300])
    if verb == "HEAD":
        if method not in READ_ONLY[provider]:
            assert state() == before, call
        return
    assert response.is_json, (call, response.data[:300])
    if DIALECTS[provider].envelope.outcome(response.get_json()) != "ok":
        assert state() == before, (call, response.get_json())
    assert WORLD.audit() == []
