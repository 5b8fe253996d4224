"""WAL checkpoints in a background thread of each process: copying the WAL back into the database file
(and its fsync) takes milliseconds, which the write that crossed the threshold used to wait out.

``wake()`` is cheap and never blocks: the thread (one per process, started on first use and again in a
forked child, whose threads did not survive the fork) runs one checkpoint per wake-up over its own
connection. It holds the store only weakly, so a store nobody uses any more is still collected; ``stop()``
ends it with the store.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import Any


class Checkpointer:
    def __init__(self, owner: Any, run: Callable[[Any], None]) -> None:
        """``run(owner)`` does one checkpoint (in the checkpointer's thread)."""
        self._owner, self._run = weakref.ref(owner), run
        self._pid: int | None = None
        self._wake = threading.Event()
        self._stopped = False
        self.thread: threading.Thread | None = None  # this process's, once started

    def wake(self) -> None:
        if self._pid != os.getpid():  # first use, or a forked child
            self._pid, self._wake = os.getpid(), threading.Event()
            self.thread = threading.Thread(target=self._loop, args=(self._wake,), name="wal-checkpoint", daemon=True)
            self.thread.start()
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def _loop(self, wake: threading.Event) -> None:
        while True:
            wake.wait()
            wake.clear()
            owner = self._owner()
            if owner is None or self._stopped:
                return
            self._run(owner)
            del owner
