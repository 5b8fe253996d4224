"""Invalid input derived from the request schemas: for each parameter, values its schema rejects."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

import schemas

HOSTILE = ("", " ", "-1", "9" * 400, "٣", "🙂", "\x00", "null", "[]", "1e3", "0x10")


def request_methods(provider: str) -> list[str]:
    return sorted(n.removesuffix(".request") for n in schemas.names(provider) if n.endswith(".request"))


def rejected_values(prop: dict[str, Any]) -> st.SearchStrategy[str]:
    """Strings the property's schema does not accept (pattern, length or enum)."""
    pattern, enum, longest = prop.get("pattern"), prop.get("enum"), prop.get("maxLength")

    def rejected(value: str) -> bool:
        if enum is not None:
            return value not in enum
        if pattern is not None:
            return re.search(pattern, value) is None
        return longest is not None and len(value) > longest

    pool = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30))
    if longest is not None:
        pool = st.one_of(pool, st.just("x" * (longest + 1)))
    return pool.filter(rejected)


def breakable(provider: str, method: str) -> list[str]:
    """Parameters of ``method`` whose schema rejects some strings (the apikey is left alone)."""
    props = schemas.load(provider, f"{method}.request").get("properties", {})
    return [name for name, prop in props.items()
            if name not in ("apikey", "method") and any(k in prop for k in ("pattern", "enum", "maxLength"))]


# A well-formed call per method; the invalid-input check breaks one parameter of it at a time.
BASELINES: dict[str, dict[str, dict[str, Any]]] = {
    "onlinesim": {
        "getRentNum": {"country": 7, "days": 1, "extension": "false", "pagination": "false"},
        "getRentState": {"pagination": "false"},
        "extendRentState": {"tzid": 1, "days": 1},
        "portReload": {"tzid": 1},
        "portUnFreeze": {"tzid": 1},
        "closeRentNum": {"tzid": 1},
        "tariffsRent": {},
        "getBalance": {},
    },
}
SPENDING: dict[str, frozenset[str]] = {"onlinesim": frozenset({"getRentNum", "extendRentState"})}
