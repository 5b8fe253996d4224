"""Stateful models of each provider, as Hypothesis rule-based state machines, and the runner."""

from __future__ import annotations

from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from ..session import Session
from .onlinesim import OnlineSimMachine
from .smspva import SmsPvaMachine

MACHINES: dict[str, type[RuleBasedStateMachine]] = {"onlinesim": OnlineSimMachine, "smspva": SmsPvaMachine}


def run(provider: str, session: Session, *, examples: int, steps: int) -> None:
    """Run one provider's machine; a failure carries the minimal failing run as curl lines."""
    machine = MACHINES[provider]
    try:
        run_state_machine_as_test(lambda: machine(session),  # type: ignore[call-arg]
                                  settings=settings(max_examples=examples, stateful_step_count=steps,
                                                    deadline=None, report_multiple_bugs=False))
    except AssertionError as exc:
        exc.add_note("replay of the minimal failing run (API key redacted):\n  " +
                     "\n  ".join(session.target.replay() or ["(no calls)"]))
        raise
