"""Invalid input derived from the request schemas: for each parameter, values its schema rejects."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

from sms_rent_mock import schemas

HOSTILE = ("", " ", "-1", "9" * 400, "٣", "🙂", "\x00", "null", "[]", "1e3", "0x10")
# Any character a URL can carry (no lone surrogates). Said by category, not as ``text()``'s default
# ``codec="utf-8"``: Hypothesis works a codec's table out over all of Unicode (seconds) in every new cache folder.
UNICODE = st.characters(exclude_categories=("Cs",))
# junk for a numeric parameter: anything but digits, too many digits, negative, a non-ASCII digit
JUNK = st.one_of(st.text(UNICODE, max_size=40).filter(lambda v: not v.strip().isdigit()), st.just("9" * 400),
                 st.just("-1"), st.just("٣"))


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

    pool = st.one_of(st.sampled_from(HOSTILE), st.text(UNICODE, max_size=30))
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
    "smspva": {
        "getcountries": {},
        "get_default_services": {},
        "get_country_by_service": {"service": "opt6", "dtype": "week", "dcount": 1},
        "getdata": {"country": "RU", "dtype": "week", "dcount": 1},
        "getdataWithProviders": {"country": "RU", "dtype": "week", "dcount": 1},
        "getcount": {"country": "RU", "dtype": "week", "dcount": 1},
        "getCountWithProviders": {"country": "RU", "dtype": "week", "dcount": 1},
        "get_count_multi": {"country": "RU", "services": "opt6,opt2", "dtype": "week", "dcount": 1},
        "get_days_canada_paypal": {},
        "get_min_paypal_days": {"country": "CA", "service": "opt83"},
        "create": {"dtype": "week", "dcount": 1, "country": "RU", "service": "opt6"},
        "create_multi": {"dtype": "week", "dcount": 1, "country": "RU", "services": "opt6,opt2"},
        "add_service_to_order": {"id": 1, "service": "opt2", "pnumber": "79000000000", "rent_days": 7},
        "orders": {},
        "activate": {"id": 1},
        "sms": {"id": 1},
        "prolong": {"id": 1, "dtype": "week", "dcount": 1},
        "prolong_max": {"id": 1, "dtype": "day", "dcount": 1},
        "delete": {"id": 1},
        "get_rent_history": {"skip": 0, "take": 10},
        "restore_user_precalc": {"id": 1},
        "restore_user": {"id": 1},
    },
}
SPENDING: dict[str, frozenset[str]] = {
    "onlinesim": frozenset({"getRentNum", "extendRentState"}),
    "smspva": frozenset({"create", "create_multi", "add_service_to_order", "prolong", "prolong_max", "restore_user",
                         "activate", "delete"}),
}
