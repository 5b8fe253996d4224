"""``sms_rent_mock.contract_tests.pace``: the run's deadline, seeded generation, and shrinking bounded by time."""

from __future__ import annotations

import time

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from sms_rent_mock.contract_tests.pace import OutOfTime, Pace, example_database


def test_a_call_past_the_deadline_stops_the_run() -> None:
    pace = Pace(max_seconds=1, started=time.monotonic() - 2)
    pace.new_example()
    with pytest.raises(OutOfTime, match=r"after 2\.\d s: 1 examples, 0 calls; the run passed its limit of 1 s"):
        pace.before_call()
    assert pace.calls == 0


def test_calls_before_the_deadline_are_counted() -> None:
    pace = Pace(max_seconds=60)
    pace.before_call()
    pace.before_call()
    assert pace.calls == 2 and 0 < pace.remaining() <= 60


def drawn_by(pace: Pace) -> list[int]:
    seen: list[int] = []

    def body(x: int) -> None:
        seen.append(x)

    pace.run(lambda chosen: chosen(given(st.integers(0, 10**9))(body)), settings(max_examples=20))
    return seen


def test_the_same_seed_draws_the_same_examples_and_another_seed_others() -> None:
    assert drawn_by(Pace(seed=7)) == drawn_by(Pace(seed=7))
    assert drawn_by(Pace(seed=7)) != drawn_by(Pace(seed=8))


# whatever profile another test of the run loaded (the kit loads its own), these run on the default one
ISOLATED = settings.get_profile("default")


def failing_test(pace: Pace, calls: list[int]) -> None:
    """Fails for x >= 1000; every example makes one 'call' (so the shrink's time limit is checked)."""
    def body(x: int) -> None:
        pace.before_call()
        calls.append(x)
        if x >= 1000:
            error = AssertionError(f"[rule] {x} is too big")
            pace.failed(error, [f"call {x}"])
            raise error

    pace.run(lambda chosen: chosen(given(st.integers(0, 10**6))(body)), settings(ISOLATED, max_examples=200))


def test_without_time_to_shrink_the_first_failure_is_reported_with_its_calls() -> None:
    pace, calls = Pace(shrink_seconds=0), []
    with pytest.raises(AssertionError) as caught:
        failing_test(pace, calls)
    first = next(x for x in calls if x >= 1000)
    assert str(caught.value) == f"[rule] {first} is too big"
    notes = "\n".join(caught.value.__notes__)
    assert f"call {first}" in notes and "shrinking stopped" in notes


def test_with_time_to_shrink_the_minimal_failure_is_reported() -> None:
    pace = Pace(shrink_seconds=60)
    with pytest.raises(AssertionError, match=r"\[rule\] 1000 is too big"):
        failing_test(pace, [])


def test_a_profile_without_shrinking_reports_the_first_failure_at_once() -> None:
    pace, calls = Pace(shrink_seconds=60), []
    with pytest.raises(AssertionError) as caught:
        pace.run(lambda chosen: chosen(given(st.integers(0, 10**6))(lambda x: calls.append(x) or _fail_big(x))),
                 settings(ISOLATED, max_examples=200, phases=(Phase.explicit, Phase.generate)))
    assert str(caught.value) == f"{next(x for x in calls if x >= 1000)}"


def _fail_big(x: int) -> None:
    if x >= 1000:
        raise AssertionError(str(x))


def test_the_example_database_is_none_unless_a_directory_is_named(tmp_path: object) -> None:
    assert example_database(None) is None
    assert example_database(str(tmp_path)) is not None
