"""The contract: every reply conforms to its schema, the service behaves as its stateful model predicts,
and invalid input gets the provider's error envelope."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sms_rent_mock import schemas
from sms_rent_mock.contract_tests import invalid, machines
from sms_rent_mock.contract_tests.checks import conform, expect, is_error
from sms_rent_mock.contract_tests.session import Session

pytestmark = pytest.mark.contract


def test_state_machine(contract_session: Session, contract_provider: str, contract_examples: tuple[int, int]) -> None:
    """Balances, rentals, states, messages, errors and isolation follow the model."""
    examples, steps = contract_examples
    machines.run(contract_provider, contract_session, examples=examples, steps=steps)


def test_read_only_endpoints_conform(contract_session: Session, contract_provider: str) -> None:
    target = contract_session.target
    spending = invalid.SPENDING.get(contract_provider, frozenset())
    for method, params in invalid.BASELINES.get(contract_provider, {}).items():
        if method in spending:
            continue
        reply = target.call(contract_provider, method, params)
        conform(target, reply, profile=contract_session.profile)


def test_unknown_method_gets_the_error_envelope(contract_session: Session, contract_provider: str) -> None:
    target = contract_session.target
    reply = target.call(contract_provider, "noSuchMethod", {})
    conform(target, reply, profile=contract_session.profile)
    expect(target, reply, "unknown-method:error-envelope", True, is_error(reply))


def test_invalid_input_gets_the_error_envelope(contract_session: Session, contract_provider: str) -> None:
    """One parameter at a time is given a value its request schema rejects, or left out."""
    target, profile = contract_session.target, contract_session.profile
    spending = invalid.SPENDING.get(contract_provider, frozenset())
    cases = [(m, p) for m in invalid.request_methods(contract_provider) for p in invalid.breakable(contract_provider, m)
             if m in invalid.BASELINES.get(contract_provider, {})]
    assert cases, f"no request schema of {contract_provider} has a breakable parameter"

    def check(case: tuple[str, str], data: st.DataObject) -> None:
        method, name = case
        schema = schemas.load(contract_provider, f"{method}.request")
        required = name in schema.get("required", ())
        if method in spending and not required and contract_session.control is None:
            return  # a real provider may ignore a junk optional value and charge: never risk it
        params = dict(invalid.BASELINES[contract_provider][method])
        if data.draw(st.booleans(), label="leave it out") and required:
            params.pop(name, None)
        else:
            params[name] = data.draw(invalid.rejected_values(schema["properties"][name]), label=name)
        reply = target.call(contract_provider, method, params)
        conform(target, reply, profile=profile)
        if required or contract_session.control is not None:
            expect(target, reply, f"invalid-input:{method}.{name}", True, is_error(reply))

    def watched(case: tuple[str, str], data: st.DataObject) -> None:
        try:
            check(case, data)
        except Exception as exc:
            contract_session.pace.failed(exc, target.replay()[-1:])
            raise

    def make_test(chosen: settings) -> Callable[[], None]:
        return chosen(given(case=st.sampled_from(cases), data=st.data())(watched))

    contract_session.pace.run(make_test, settings(max_examples=max(len(cases) * 3, 30), deadline=None))
