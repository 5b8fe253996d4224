"""``sms_rent_mock.contract_tests.progress``: the per-machine line ``check`` shows on a terminal, and its silence elsewhere."""

from __future__ import annotations

import io

from sms_rent_mock.contract_tests.progress import Progress


def test_the_line_counts_examples_and_calls_of_the_current_machine() -> None:
    out = io.StringIO()
    progress = Progress(out, interval=0)
    progress.start("onlinesim", of=25)
    progress.count_example()
    for _ in range(3):
        progress.count_call()
    assert progress.line().startswith("onlinesim: 1/25 examples, 3 calls, ")
    progress.finish("passed")
    progress.start("smspva", of=25)
    assert progress.line().startswith("smspva: 0/25 examples, 0 calls")
    written = out.getvalue()
    assert "onlinesim: 1/25 examples, 3 calls" in written and written.count("\n") == 1
    assert "- passed\n" in written


def test_notes_stay_on_their_own_line() -> None:
    out = io.StringIO()
    progress = Progress(out, interval=60)
    progress.start("smspva", of=5)
    progress.note("failure: [rule] x")
    assert out.getvalue().endswith("smspva: failure: [rule] x\n")


def test_no_display_when_quiet_or_when_stderr_is_not_a_terminal(monkeypatch: object) -> None:
    assert Progress.for_terminal(quiet=True) is None
    import sys

    class Pipe(io.StringIO):
        def isatty(self) -> bool:
            return False

    monkeypatch.setattr(sys, "stderr", Pipe())  # type: ignore[attr-defined]
    assert Progress.for_terminal(quiet=False) is None
