"""A one-line progress display for ``check`` on a terminal: per machine, examples run and calls so far.

It writes to a stream of its own (``check`` passes a copy of the terminal's stderr taken before pytest
captures output), redraws at most a few times a second, and is absent when stderr is not a terminal
or a JSON report was asked for.
"""

from __future__ import annotations

import os
import sys
import time
from typing import IO


class Progress:
    def __init__(self, stream: IO[str], *, interval: float = 0.2) -> None:
        self.stream, self.interval = stream, interval
        self.label, self.examples, self.of, self.calls = "", 0, 0, 0
        self.began, self.drawn = time.monotonic(), 0.0

    @classmethod
    def for_terminal(cls, *, quiet: bool) -> Progress | None:
        """A display on a duplicate of stderr when it is a terminal (and ``quiet`` is off), else None."""
        if quiet or not sys.stderr.isatty():
            return None
        try:
            stream = os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1, encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            return None
        return cls(stream)

    def start(self, label: str, *, of: int) -> None:
        """A new machine (or test) starts; counters begin again."""
        self.label, self.examples, self.of, self.calls = label, 0, of, 0
        self.began, self.drawn = time.monotonic(), 0.0
        self._draw(force=True)

    def count_call(self) -> None:
        self.calls += 1
        self._draw()

    def count_example(self) -> None:
        self.examples += 1
        self._draw()

    def note(self, text: str) -> None:
        """A line that stays (a failure found, shrinking started)."""
        self._write(f"\r\033[K{self.label}: {text}\n")

    def finish(self, outcome: str) -> None:
        self._write(f"\r\033[K{self.line()} - {outcome}\n")

    def line(self) -> str:
        of = f"/{self.of}" if self.of else ""
        return (f"{self.label}: {self.examples}{of} examples, {self.calls} calls, "
                f"{time.monotonic() - self.began:.0f} s")

    def close(self) -> None:
        try:
            self.stream.close()
        except OSError:
            pass

    def _draw(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.drawn >= self.interval:
            self.drawn = now
            self._write(f"\r\033[K{self.line()}")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass
