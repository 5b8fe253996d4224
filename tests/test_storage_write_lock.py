"""The write lock: held against other holders of the lock file, released after, usable again after close."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest

from sms_rent_mock.mock_server.storage.write_lock import WriteLock


def _free(path: Path) -> bool:
    """Whether another open file description (another process's, in effect) could take the lock now."""
    with open(path) as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def test_the_lock_file_is_held_only_inside_held(tmp_path: Path) -> None:
    path = tmp_path / "db.lock"
    lock = WriteLock(str(path))
    assert path.exists() and _free(path)
    with lock.held():
        assert not _free(path)
    assert _free(path)
    with pytest.raises(RuntimeError):
        with lock.held():
            raise RuntimeError("a failed write")
    assert _free(path)  # released on the way out of a failure too
    lock.close()


def test_a_closed_lock_opens_its_file_again_when_next_held(tmp_path: Path) -> None:
    path = tmp_path / "db.lock"
    lock = WriteLock(str(path))
    lock.close()
    lock.close()  # twice is harmless
    with lock.held():
        assert not _free(path)
    lock.close()


def test_a_lock_file_that_cannot_be_made_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        WriteLock(str(tmp_path / "missing" / "db.lock"))
