"""The schemas themselves: valid draft-07, self-contained, loadable from the installed package."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft7Validator

from sms_rent_mock import schemas

ALL = [(provider, name) for provider in schemas.providers() for name in schemas.names(provider)]


def test_every_provider_has_schemas() -> None:
    assert {"onlinesim"} <= set(schemas.providers())
    assert len(ALL) >= 20


@pytest.mark.parametrize(("provider", "name"), ALL)
def test_schema_is_valid_draft7_and_self_contained(provider: str, name: str) -> None:
    schema = schemas.load(provider, name)
    Draft7Validator.check_schema(schema)
    refs = [ref for ref in _refs(schema) if not ref.startswith("#/")]
    assert refs == [], f"{provider}/{name} refers outside itself: {refs}"
    assert schema.get("$schema") == "http://json-schema.org/draft-07/schema#"


def test_onlinesim_request_schemas_name_an_error_code_for_each_parameter() -> None:
    codes = set(schemas.load("onlinesim", "error")["properties"]["response"]["enum"])
    for name in schemas.names("onlinesim"):
        if name.endswith(".request"):
            for prop in schemas.load("onlinesim", name)["properties"].values():
                for key in ("x-error", "x-missing-error"):
                    assert prop.get(key, "ERROR_PARAMS") in codes


def test_profile_specific_schema_falls_back_to_the_shared_one() -> None:
    assert schemas.response_name("onlinesim", "closeRentNum", "documented") == "closeRentNum.response.documented"
    assert schemas.response_name("onlinesim", "getRentNum", "documented") == "getRentNum.response"
    with pytest.raises(ValueError, match="live, documented"):
        schemas.response_name("onlinesim", "getRentNum", "strict")


def test_documented_examples_validate() -> None:
    item = {"tzid": 10000, "status": 1, "checked": True, "checked_time": "2024-05-01 10:00:00", "extension": 1,
            "country": 7, "number": "9001234567", "sum": "50.00", "rent": 1, "days": 0, "hours": 23, "time": 1410,
            "extend": {"1": 40, "7": 280, "15": 600, "30": 1200}, "day_extend": 40, "reload": 0, "m_ext": True,
            "freeze": False, "messages": [{"id": 2, "service": "Telegram", "text": "Code 12345", "code": "12345",
                                           "created_at": "2024-05-01 10:05:00"}]}
    schemas.validator("onlinesim", "getRentNum.response").validate({"response": 1, "item": item})
    assert not schemas.validator("onlinesim", "getRentNum.response").is_valid({"response": "1", "item": item})
    schemas.validator("onlinesim", "error").validate({"response": "NO_NUMBER"})


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_schema_files_are_plain_json() -> None:
    for provider, name in ALL:
        json.dumps(schemas.load(provider, name))
