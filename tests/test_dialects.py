"""The wire dialects (schemas/dialects.py): envelopes agree with the JSON Schemas, every code a method
can answer fits its provider's error schema, requests name the right (provider, method), every method has
a handler and schemas, and no other module keeps its own copy of the path rule."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from sms_rent_mock import schemas
from sms_rent_mock.mock_server.domain import Settings, errors
from sms_rent_mock.mock_server.providers import onlinesim, smspva
from sms_rent_mock.mock_server.providers.dialect import ServerDialect
from sms_rent_mock.schemas.dialects import DIALECTS, ONLINESIM, SMSPVA, Dialect, call_of

ROOT = Path(__file__).resolve().parent.parent
SERVER: dict[str, ServerDialect] = {"onlinesim": onlinesim.DIALECT, "smspva": smspva.DIALECT}
PROFILES = ("live", "documented")


def refusals(cls: type[errors.RentalError] = errors.RentalError) -> Iterator[errors.RentalError]:
    """One instance of every domain refusal."""
    for sub in cls.__subclasses__():
        if sub is errors.InvalidParameter:
            yield sub("country")
        elif sub is errors.InsufficientBalance:
            yield sub(Decimal("12.5"))
        else:
            yield sub()
        yield from refusals(sub)


def codes_of(dialect: Dialect, method: str) -> set[str]:
    """Every code ``method`` can answer: the route codes, its request schema's, and each domain refusal's."""
    found = {dialect.codes.unknown_method, dialect.codes.wrong_verb, dialect.codes.bad_params, dialect.codes.busy}
    schema = schemas.load(dialect.name, f"{method}.request")
    for prop in [*schema.get("properties", {}).values(), schema.get("additionalProperties")]:
        if isinstance(prop, dict):
            found.update(prop[k] for k in ("x-error", "x-missing-error") if prop.get(k))
    world = SimpleNamespace(settings=Settings())
    found.update(SERVER[dialect.name].code_for(world, method, exc) for exc in refusals())  # type: ignore[arg-type]
    return found


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_every_code_a_method_can_answer_round_trips_through_the_error_schema(name: str) -> None:
    dialect = DIALECTS[name]
    for method in dialect.methods:
        for code in sorted(codes_of(dialect, method)):
            body = dialect.error_body(code)
            assert schemas.validator(name, "error").is_valid(body), (method, code)
            assert dialect.envelope.is_error(body) and dialect.envelope.outcome(body) == code
            assert dialect.envelope.code_of(body) == code
            for profile in PROFILES:  # the kit tells an error from a success by the envelope alone
                assert not schemas.validator(name, dialect.response(method, profile)).is_valid(body), (method, code)


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_each_response_schema_says_success_the_way_the_envelope_does(name: str) -> None:
    envelope = DIALECTS[name].envelope
    for method in DIALECTS[name].methods:
        for profile in PROFILES:
            schema = schemas.load(name, DIALECTS[name].response(method, profile))
            if envelope.status not in schema.get("required", ()):
                assert envelope.bare, (method, profile)  # only a bare success may leave it out
                continue
            assert schema["properties"][envelope.status]["const"] in envelope.success, (method, profile)
            body = {envelope.status: schema["properties"][envelope.status]["const"]}
            assert envelope.outcome(body) == "ok" and not envelope.is_error(body)


def test_smspva_errors_carry_the_failed_status_and_onlinesim_successes_may_be_bare() -> None:
    assert schemas.load("smspva", "error")["properties"]["status"]["const"] == SMSPVA.envelope.failed
    assert ONLINESIM.envelope.outcome({"7": {"code": 7}}) == "ok"
    assert SMSPVA.envelope.outcome({"data": []}) == "malformed"
    assert ONLINESIM.envelope.outcome(None) == SMSPVA.envelope.outcome(None) == "malformed"


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_call_of_names_every_documented_path(name: str) -> None:
    dialect = DIALECTS[name]
    for method in dialect.methods:
        params = {dialect.param: method} if dialect.param else {}
        assert call_of(dialect.path(method), params) == (name, method)
        assert dialect.method_at(dialect.path(method), params) == dialect.methods[method]


def test_the_path_rule_of_each_provider() -> None:
    assert ONLINESIM.path("getRentNum") == "/api/rent/getRentNum.php"
    assert ONLINESIM.path("getBalance") == "/api/getBalance.php"
    assert ONLINESIM.path("noSuch") == "/api/rent/noSuch.php"
    assert SMSPVA.path("create") == "/api/rent.php"
    assert call_of("/api/rent/getRentNum", {}) == ("onlinesim", "getRentNum")  # ".php" may be left out
    assert call_of("/api/rent/noSuch.php", {}) == ("onlinesim", "noSuch")      # named, though unknown
    assert call_of("/api/rent.php", {"method": "orders"}) == ("smspva", "orders")
    assert call_of("/api/rent.php", {}) == ("smspva", "")
    for other in ("/_mock/clock", "/", "/api/rent/", "/api/rent/a/b.php", "/api/rent.php/x"):
        assert call_of(other, {"method": "orders"}) is None, other


def test_a_method_is_served_only_in_its_own_folder() -> None:
    assert ONLINESIM.method_at("/api/rent/getBalance.php", {}) is None
    assert ONLINESIM.method_at("/api/getRentNum.php", {}) is None
    assert SMSPVA.method_at("/api/rent.php", {"method": "getdatawithproviders"}) is None


def test_the_table_says_which_methods_read_mark_read_or_run_in_a_transaction() -> None:
    assert {m.name for m in ONLINESIM.methods.values() if m.read_only} == {"getRentState", "tariffsRent", "getBalance"}
    assert [m.name for m in SMSPVA.methods.values() if m.marks_read] == ["sms"]
    assert not SMSPVA.methods["sms"].transaction and SMSPVA.methods["create"].transaction
    assert all(not (m.read_only and m.marks_read) for d in DIALECTS.values() for m in d.methods.values())


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_every_method_has_a_handler_and_schemas_and_every_request_schema_a_method(name: str) -> None:
    dialect, names = DIALECTS[name], schemas.names(name)
    assert SERVER[name].dialect is dialect and set(SERVER[name].handlers) == set(dialect.methods)
    assert {n.removesuffix(".request") for n in names if n.endswith(".request")} == set(dialect.methods)
    for method in dialect.methods.values():
        assert method.request in names
        assert all(dialect.response(method.name, profile) in names for profile in PROFILES)


def _code_strings(path: Path) -> Iterator[tuple[int, str]]:
    """String constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def test_no_other_module_carries_the_path_rule() -> None:
    """Python modules only: the console's script calls the documented paths as a client would."""
    modules = [path for package in ("sms_rent_mock.mock_server", "sms_rent_mock.contract_tests", "schemas")
               for path in sorted((ROOT / package).rglob("*.py")) if path != ROOT / "schemas" / "dialects.py"]
    found = [f"{path.relative_to(ROOT)}:{line}: {text!r}" for path in modules
             for line, text in _code_strings(path) if "/api/" in text or ".php" in text]
    assert found == []


def test_the_grep_would_see_a_copy() -> None:
    sample = ROOT / "tests" / "test_dialects.py"
    assert any("/api/" in text for _, text in _code_strings(sample))  # this module's own paths are code strings
