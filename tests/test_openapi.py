"""The OpenAPI 3.1 document: generated from the schemas, valid, printed by the CLI and served by the mock."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from sms_rent_mock.mock_server.cli import main
from sms_rent_mock.schemas.openapi import document


@pytest.mark.parametrize("profile", ["live", "documented"])
def test_document_is_valid_openapi_31(profile: str) -> None:
    doc = document(profile=profile)
    validate(doc)
    assert doc["openapi"] == "3.1.0"
    assert "/api/rent/getRentNum.php" in doc["paths"] and "/api/rent.php" in doc["paths"]


def test_every_local_reference_resolves() -> None:
    doc = document()

    def resolve(ref: str) -> object:
        node: object = doc
        for part in ref.removeprefix("#/").split("/"):
            assert isinstance(node, dict) and part in node, ref
            node = node[part]
        return node

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                resolve(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(doc)


def test_profiles_differ_where_the_documents_do() -> None:
    live, documented = document(profile="live"), document(profile="documented")
    assert "onlinesim.closeRentNum.response" in live["components"]["schemas"]
    assert "onlinesim.closeRentNum.response.documented" in documented["components"]["schemas"]


def test_cli_prints_the_document_for_one_provider() -> None:
    result = CliRunner().invoke(main, ["openapi", "--provider", "onlinesim"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert all(path.startswith("/api/rent/") or path == "/api/getBalance.php" for path in doc["paths"])


def test_mock_serves_the_document(client: FlaskClient) -> None:
    doc = client.get("/_mock/openapi.json").get_json()
    validate(doc)
    assert client.get("/_mock/openapi.json?profile=nonsense").status_code == 400


def test_the_control_api_is_in_the_document_with_its_bounds() -> None:
    doc = document()
    clock = doc["paths"]["/_mock/clock"]["post"]
    assert clock["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/control.clock.request"}
    advance = doc["components"]["schemas"]["control.clock.request"]["properties"]["advance"]
    assert advance["maximum"] == 3_155_760_000
    state = doc["components"]["schemas"]["control.state"]
    assert state["properties"]["tables"]["properties"]["accounts"]["maxItems"] > 0
    assert "4XX" in doc["paths"]["/_mock/accounts/{apikey}"]["put"]["responses"]
    assert "/_mock/state" not in document(("onlinesim", "smspva"))["paths"]
