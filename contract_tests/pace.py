"""How long a contract run may take, and how its Hypothesis tests run so that it always ends.

A run has one deadline (``max_seconds``); every call the kit makes checks it first, so no step can
wait past it. Generation is seeded (the same ``seed`` makes the same run) unless an example database
was asked for (Hypothesis then replays what it kept; a seed would switch the database off). The
first failure is noted at once; shrinking it then gets ``shrink_seconds`` at most (never past the
deadline), after which that first failure is the one reported, unshrunk.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hypothesis import Phase, seed, settings
from hypothesis.errors import HypothesisException
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

if TYPE_CHECKING:
    from .progress import Progress

DEFAULT_MAX_SECONDS = 120.0
DEFAULT_SHRINK_SECONDS = 20.0


class OutOfTime(BaseException):
    """The run (or a shrink) passed its time limit. A BaseException, so that Hypothesis stops at once
    instead of treating it as one more failure to shrink."""

    rule = "deadline:max-seconds"


def example_database(path: str | None) -> ExampleDatabase | None:
    """The examples Hypothesis keeps: none (a seeded run), unless a directory is named."""
    return DirectoryBasedExampleDatabase(path) if path else None


@dataclass
class Pace:
    """The run's clock: its deadline, the current limit (the deadline, or a shrink's end), and counters."""

    max_seconds: float = DEFAULT_MAX_SECONDS
    shrink_seconds: float = DEFAULT_SHRINK_SECONDS
    seed: int = 0
    database: ExampleDatabase | None = None
    progress: Progress | None = None
    started: float = field(default_factory=time.monotonic)
    calls: int = 0
    examples: int = 0
    first: BaseException | None = None   # the first failure of the test running now
    shrink: float | None = None           # seconds a shrink may take (None: this test does not shrink)
    _limit: float | None = None

    @property
    def deadline(self) -> float:
        return self.started + self.max_seconds

    @property
    def limit(self) -> float:
        return self.deadline if self._limit is None else min(self._limit, self.deadline)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return self.limit - time.monotonic()

    def before_call(self) -> None:
        """Every call first checks the clock: past the limit, the run stops here, saying what it had done
        (whichever test the limit falls in)."""
        if time.monotonic() >= self.limit:
            raise OutOfTime(describe(self, f"the run passed its limit of {self.max_seconds:g} s"
                                     if self._limit is None or self._limit >= self.deadline
                                     else "shrinking ran out of time"))
        self.calls += 1
        if self.progress is not None:
            self.progress.count_call()

    def new_example(self) -> None:
        self.examples += 1
        if self.progress is not None:
            self.progress.count_example()

    def failed(self, exc: BaseException, seen: list[str]) -> None:
        """An example failed: the first one is kept with the calls it made, and shrinking is timed."""
        if self.first is not None or not isinstance(exc, Exception) or isinstance(exc, HypothesisException):
            return  # Hypothesis's own signals (an example cut short, an assumption unmet) are no failures
        exc.add_note("replay of the failing run (API key redacted):\n  " + "\n  ".join(seen or ["(no calls)"]))
        self.first = exc
        if self.progress is not None:
            self.progress.note(f"failure: {str(exc).splitlines()[0][:160]}")
        if self.shrink is not None:
            self._limit = time.monotonic() + self.shrink
            if self.progress is not None and self.shrink > 0:
                self.progress.note(f"shrinking it for up to {self.shrink:.0f} s")

    def run(self, make_test: Callable[[settings], Callable[[], None]], base: settings) -> None:
        """Run the test ``make_test(settings)`` builds with this run's database and seed. Its examples
        report failures to ``failed``; a shrink that runs out of time ends with the first failure."""
        chosen = settings(base, database=self.database, derandomize=False, deadline=None)
        self.first, self._limit = None, None
        self.shrink = self.shrink_seconds if Phase.shrink in tuple(base.phases) else None
        test = make_test(chosen)
        try:
            (test if self.database is not None else seed(self.seed)(test))()
        except OutOfTime:
            first = self.first
            if first is None or time.monotonic() >= self.deadline:
                raise
            first.add_note(f"(shrinking stopped after {self.shrink:g} s: this is the first failure found, "
                           "unshrunk)")
            raise first from None
        except Exception as exc:
            first = self.first
            if first is not None and isinstance(exc, HypothesisException):
                # shrinking replays examples; a target whose answers drift makes Hypothesis give up: the
                # failure actually seen is the one to report
                first.add_note(f"(shrinking stopped: {type(exc).__name__}; this is the first failure found)")
                raise first from None
            if first is not None and exc is not first and self.progress is not None:
                self.progress.note("shrunk")
            raise
        finally:
            self.first, self._limit, self.shrink = None, None, None


def describe(pace: Pace, what: Any = "") -> str:
    """What the run had done when it stopped, for the deadline's failure message."""
    return (f"after {pace.elapsed():.1f} s: {pace.examples} examples, {pace.calls} calls"
            + (f"; {what}" if what else ""))
