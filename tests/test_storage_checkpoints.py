"""The WAL checkpointer thread: woken cheaply, runs in its own thread, lets its store go."""

from __future__ import annotations

import gc
import threading
from typing import Any

from sms_rent_mock.mock_server.storage.checkpoints import Checkpointer


class Owner:
    def __init__(self) -> None:
        self.runs: list[str] = []
        self.done = threading.Event()


def run(owner: Any) -> None:
    owner.runs.append(threading.current_thread().name)
    owner.done.set()


def test_a_wake_runs_one_checkpoint_in_another_thread() -> None:
    owner = Owner()
    checkpointer = Checkpointer(owner, run)
    checkpointer.wake()
    assert owner.done.wait(5) and owner.runs == ["wal-checkpoint"]
    checkpointer.stop()


def test_stop_ends_the_thread_and_a_collected_owner_ends_it_too() -> None:
    stopped, dropped = Owner(), Owner()
    first, second = Checkpointer(stopped, run), Checkpointer(dropped, run)
    first.wake()
    second.wake()
    assert stopped.done.wait(5) and dropped.done.wait(5)
    assert first.thread is not None and second.thread is not None
    assert first.thread.is_alive() and second.thread.is_alive()
    first.stop()
    del dropped
    gc.collect()
    second.wake()  # wakes to find its owner gone
    first.thread.join(5)
    second.thread.join(5)
    assert not first.thread.is_alive() and not second.thread.is_alive()
