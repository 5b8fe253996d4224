"""The kit against a target without the control API, as on a real account: nothing can be reset, the
clock is real, money may be spent within a budget, and SMS the kit did not send arrive on their own
(the mock's scripted SMS, one second after each rental can receive). The run is seeded; it must pass."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest

from sms_rent_mock.contract_tests import machines
from sms_rent_mock.contract_tests.pace import Pace
from sms_rent_mock.contract_tests.session import Budget, Session
from sms_rent_mock.contract_tests.target import Target, in_process_mock

PROVIDERS = ("onlinesim", "smspva")


def received_on_their_own(reply: Any) -> int:
    """How many SMS (or SMSPVA orders with new SMS) a reply showed: the kit sent none, it cannot."""
    body = reply.body
    if reply.method == "getRentState" and isinstance(body, dict):
        return sum(len(m["data"] if isinstance(m, dict) else m) for m in (i["messages"] for i in body.get("list", [])))
    if reply.method == "orders" and isinstance(body, dict) and isinstance(body.get("data"), list):
        return sum(1 for row in body["data"] if isinstance(row, dict) and row.get("hasnewsms") is True)
    if reply.method == "sms" and isinstance(body, dict):
        data = body.get("data")  # one list (documented profile), or SmsList and OtherSms (live)
        return len(data) if isinstance(data, list) else sum(len(v) for v in data.values() if isinstance(v, list))
    return 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_sms_the_kit_did_not_send_do_not_break_it_on_a_target_without_control(provider: str) -> None:
    # SMSPVA numbers go online at `activate` (not 12 minutes later), so their SMS land within the run
    with in_process_mock(seed=7, CLOCK="real", AUTO_SMS=1, ACTIVATION_DELAY=0) as url:
        target = Target(url, api_key="someone-elses-real-key")  # no probe: the control API stays unknown
        session = Session(target, seed=7, allow_spend=True, budget=Budget(Decimal(600)),
                          pace=Pace(seed=7, max_seconds=600))
        target.pace = session.pace
        seen: list[int] = []
        original = target.call

        def recording(*args: Any, **kwargs: Any) -> Any:
            reply = original(*args, **kwargs)
            seen.append(received_on_their_own(reply))
            if reply.method == "activate":
                time.sleep(1.1)  # a slow provider: the number's scripted SMS has landed by the next call
            return reply

        target.call = recording  # type: ignore[method-assign]
        machines.run(provider, session, examples=6, steps=20)
    assert session.control is None and session.budget is not None and session.budget.spent > 0
    assert any(seen), "no SMS arrived on its own: the run tested nothing of them"
    assert any("sms" in check.lower() for check in session.not_run), session.not_run  # delivery: control only
