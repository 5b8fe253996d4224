"""Stateful models of each provider, as Hypothesis rule-based state machines, and the runner."""

from __future__ import annotations

import sys
from collections.abc import Callable

from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, get_state_machine_test

from ..checks import Violation
from ..pace import OutOfTime
from ..session import Session
from .onlinesim import OnlineSimMachine
from .smspva import SmsPvaMachine

MACHINES: dict[str, type[RuleBasedStateMachine]] = {"onlinesim": OnlineSimMachine, "smspva": SmsPvaMachine}


def run(provider: str, session: Session, *, examples: int, steps: int) -> None:
    """Run one provider's machine within the run's time (``Session.pace``); a failure carries its run as
    curl lines (the first failure's, or the shrunk one's)."""
    machine, pace, target = MACHINES[provider], session.pace, session.target

    def build() -> RuleBasedStateMachine:
        pace.new_example()
        made = machine(session)  # type: ignore[call-arg]
        own_teardown = made.teardown

        def teardown() -> None:  # runs in Hypothesis's ``finally``: sys.exc_info() is this example's failure
            failure = sys.exc_info()[1]
            if failure is not None:
                pace.failed(failure, target.replay())
            own_teardown()

        made.teardown = teardown  # type: ignore[method-assign]
        return made

    def make_test(chosen: settings) -> Callable[[], None]:
        return get_state_machine_test(build, settings=chosen)  # type: ignore[arg-type]

    base = settings(max_examples=examples, stateful_step_count=steps, deadline=None, report_multiple_bugs=False)
    if pace.progress is not None:
        pace.progress.start(provider, of=examples)
    outcome = "passed"
    try:
        pace.run(make_test, base)
    except OutOfTime as stop:
        outcome = "out of time"
        seen = target.calls[-1] if target.calls else None
        raise Violation(OutOfTime.rule, seen, f"an end within {pace.max_seconds:g} s (--max-seconds)",
                        str(stop), target) from None
    except BaseException as exc:
        outcome = "failed"
        if not any("replay of the failing run" in note for note in getattr(exc, "__notes__", ())):
            exc.add_note("replay of the minimal failing run (API key redacted):\n  " +
                         "\n  ".join(target.replay() or ["(no calls)"]))
        raise
    finally:
        if pace.progress is not None:
            pace.progress.finish(outcome)
