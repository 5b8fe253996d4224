"""``providers.wire``'s request check: judging each parameter alone (and remembering each (name, value))
names the same parameter and error as the whole request schema's sorted errors, for every provider method;
and a state-changing call's one transaction."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sms_rent_mock import schemas
from sms_rent_mock.mock_server.app import world_of
from sms_rent_mock.mock_server.providers import wire

from .conftest import make_app

METHODS = [(p, n.removesuffix(".request")) for p in ("onlinesim", "smspva") for n in schemas.names(p)
           if n.endswith(".request")]
VALUES = st.one_of(st.sampled_from(["", " ", "1", "7", "100001", "12x", "-1", "true", "week", "opt4", "RU", "9" * 12,
                                    "x" * 300, "x" * 1100, "\x1c5", "٣"]),
                   st.text(max_size=12))


def whole_schema(provider: str, method: str, values: dict[str, str], fallback: str) -> tuple[str, str] | None:
    """What the check answered before it judged parameters alone: the whole schema's first sorted error."""
    missing, invalid = wire._rules(provider, method)
    for name, code in missing:
        if values.get(name, "") == "":
            return name, code or fallback
    errors = sorted(schemas.validator(provider, f"{method}.request").iter_errors(values), key=lambda e: list(e.path))
    for error in errors:
        name = str(error.path[0]) if error.path else ""
        return name, invalid.get(name if name in invalid else "") or fallback
    return None


@pytest.mark.parametrize(("provider", "method"), METHODS, ids=[f"{p}.{m}" for p, m in METHODS])
def test_every_provider_request_schema_is_judged_parameter_by_parameter(provider: str, method: str) -> None:
    assert wire._separable(provider, method)


@st.composite
def requests(draw: Any) -> tuple[str, str, dict[str, str]]:
    provider, method = draw(st.sampled_from(METHODS))
    names = sorted(schemas.load(provider, f"{method}.request").get("properties", {})) + ["other", "zz"]
    return provider, method, draw(st.dictionaries(st.sampled_from(names), VALUES, max_size=5))


@settings(max_examples=400, deadline=None)
@given(requests())
def test_the_answer_is_the_whole_schemas_first_error(request: tuple[str, str, dict[str, str]]) -> None:
    provider, method, values = request
    assert wire.problem(provider, method, values, fallback="F") == whole_schema(provider, method, values, "F")


def test_a_new_value_beside_known_ones_is_checked_alone() -> None:
    wire._accepts_value.cache_clear()
    wire.problem("onlinesim", "closeRentNum", {"apikey": "k", "tzid": "100001"}, fallback="F")
    before = wire._accepts_value.cache_info()
    assert wire.problem("onlinesim", "closeRentNum", {"apikey": "k", "tzid": "100002"}, fallback="F") is None
    after = wire._accepts_value.cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (1, 1)  # the key remembered, the tzid new
    assert wire.problem("onlinesim", "closeRentNum", {"apikey": "k", "tzid": "1x"}, fallback="F") == \
        ("tzid", "ERROR_WRONG_TZID")


def test_long_values_are_judged_but_not_remembered() -> None:
    wire._accepts_value.cache_clear()
    long = "7" * 600
    assert wire.problem("onlinesim", "getRentState", {"apikey": "k", "junk": long}, fallback="F") is None
    assert wire.problem("onlinesim", "getRentState", {"apikey": "k", "junk": "x" + long * 2}, fallback="F") == \
        ("junk", "ERROR_PARAMS")
    assert wire._accepts_value.cache_info().currsize == 1  # only the key: neither long value is kept


def test_a_state_changing_call_reads_its_heading_once_and_a_refusal_keeps_nothing() -> None:
    """``committed`` opens the domain's unit of work for the call's key: the domain's own one inside it
    (the rent's), and the catalog the dialect reads first, ask the store for nothing it already read."""
    app = make_app()
    world, client = world_of(app), app.test_client()
    rent = {"apikey": "wire-key", "country": "7", "days": "1"}
    assert client.get("/api/rent/getRentNum.php", query_string=rent).get_json()["response"] == 1
    seen: list[str] = []
    world.store.db.set_trace_callback(seen.append)
    assert client.get("/api/rent/getRentNum.php", query_string=rent).get_json()["response"] == 1
    world.store.db.set_trace_callback(None)
    assert len([s for s in seen if "catalog_rev" in s or "FROM accounts" in s]) == 1  # (not the fault revisions)
    before = client.get("/api/rent/getRentState.php", query_string={"apikey": "wire-key"}).get_json()
    refused = client.get("/api/rent/getRentNum.php", query_string={**rent, "country": "99999"}).get_json()
    assert refused["response"] != 1
    assert client.get("/api/rent/getRentState.php", query_string={"apikey": "wire-key"}).get_json() == before
