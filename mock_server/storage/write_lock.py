"""One writer at a time per SQLite store, across the threads and the worker processes that share it.

SQLite's own arbitration between processes is its busy handler, which sleeps with back-off (1, 2, 5, ...
100 ms) while another process holds the write lock: under steady writes from two workers a waiter kept
missing its turn, and its request waited up to a second. Here writers queue instead: first on a thread
lock (threads of one process), then on ``flock`` of ``<db>.lock`` (processes), whose waiter the kernel
wakes the moment the holder lets go. A process that dies holding it releases it with its descriptors;
one stopped (SIGSTOP, a debugger) mid-write holds the other writers until it goes on, where SQLite's
busy timeout failed them after 30 s (``flock`` has no timeout; a waiting thread of the same process
never had one either).
"""

from __future__ import annotations

import fcntl
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager


class WriteLock:
    """``with lock.held():`` around a write transaction (``BEGIN IMMEDIATE`` to ``COMMIT``/``ROLLBACK``).

    ``flock`` belongs to an open file description, and a forked child inherits its parent's: the two
    would then pass as one holder. So each process opens the file itself (again after a fork, found by
    its pid), and the threads of one process, which share that descriptor, queue on the thread lock first.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._pid = -1
        self._fd = -1
        self._open()  # now, so a file that cannot be opened is reported when the store is

    def _open(self) -> None:
        # read-only is enough for flock; O_CLOEXEC keeps it out of programs the process runs
        fd = os.open(self.path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        if self._pid != -1:  # the parent's descriptor, inherited: closing this copy releases nothing of its
            self._closer.detach()
            os.close(self._fd)
        self._fd, self._pid = fd, os.getpid()
        self._closer = weakref.finalize(self, os.close, fd)
        self._closer.atexit = False  # the journal's last flush writes at exit, after finalizers would run

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._threads:
            if self._pid != os.getpid():
                self._open()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close this process's descriptor (a later ``held()`` opens it again)."""
        with self._threads:
            if self._pid == os.getpid():
                self._closer()
            self._pid, self._fd = -1, -1
