"""The request journal: buffered off the request path, yet complete for a reader, bounded, flushed at exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from sms_rent_mock.mock_server.journal import Journal


def entry(method: str, **extra: Any) -> dict[str, Any]:
    return {"provider": "onlinesim", "method": method, "params": {"apikey": "secret", "n": method},
            "outcome": "ok", "http_status": 200, "fault": None, "duration_ms": 1.23456, "at": 1_700_000_000, **extra}


def stored(journal: Journal) -> int:
    """Rows on disk, read without the reader's flush."""
    assert journal.store is not None
    return int(journal.store.db.execute("SELECT COUNT(*) FROM journal").fetchone()[0])


def test_a_recorded_request_waits_in_the_buffer_but_a_reader_sees_it(tmp_path: Path) -> None:
    journal = Journal(str(tmp_path / "j.sqlite3"), 100, flush_delay=60)
    journal.record(**entry("getBalance"))
    assert stored(journal) == 0  # not written on the request path
    [found] = journal.entries()
    assert (found["method"], found["params"], found["duration_ms"]) == ("getBalance", {"apikey": "***",
                                                                                        "n": "getBalance"}, 1.235)
    assert stored(journal) == 1


def test_the_flusher_writes_within_its_delay(tmp_path: Path) -> None:
    journal = Journal(str(tmp_path / "j.sqlite3"), 100, flush_delay=0.01)
    journal.record(**entry("getBalance"))
    for _ in range(1000):  # bounded poll: the flusher thread writes without any reader asking
        if stored(journal):
            break
        time.sleep(0.01)
    assert stored(journal) == 1


def test_a_full_buffer_is_written_at_once(tmp_path: Path) -> None:
    journal = Journal(str(tmp_path / "j.sqlite3"), 100, flush_delay=60, batch_size=4)
    for i in range(4):
        journal.record(**entry(f"m{i}"))
    assert stored(journal) == 4


def test_the_ring_keeps_the_newest_entries_newest_first(tmp_path: Path) -> None:
    journal = Journal(str(tmp_path / "j.sqlite3"), 5, flush_delay=60, batch_size=3)
    for i in range(12):
        journal.record(**entry(f"m{i}"))
    assert [e["method"] for e in journal.entries()] == ["m11", "m10", "m9", "m8", "m7"]
    assert stored(journal) == 5


def test_clear_drops_buffered_entries_too(tmp_path: Path) -> None:
    journal = Journal(str(tmp_path / "j.sqlite3"), 100, flush_delay=60)
    journal.record(**entry("a"))
    journal.record(**entry("b"))
    assert journal.clear() == 2
    assert journal.entries() == []


def test_two_journals_of_one_process_on_one_file_see_each_other(tmp_path: Path) -> None:
    one, two = (Journal(str(tmp_path / "j.sqlite3"), 100, flush_delay=60) for _ in range(2))
    one.record(**entry("first"))
    two.record(**entry("second"))
    assert [e["method"] for e in one.entries()] == ["second", "first"]


CHILD = textwrap.dedent("""
    import sys, time
    from sms_rent_mock.mock_server.journal import Journal
    journal = Journal(sys.argv[1], 100, flush_delay=float(sys.argv[2]))
    journal.record(provider="smspva", method="orders", params={}, outcome="ok", http_status=200, fault=None,
                   duration_ms=1.0, at=1)
    print("recorded", flush=True)
    time.sleep(float(sys.argv[3]))
""")


def test_a_reader_waits_for_another_process_s_buffer(tmp_path: Path) -> None:
    db = str(tmp_path / "j.sqlite3")
    reader = Journal(db, 100, flush_delay=60)
    child = subprocess.Popen([sys.executable, "-c", CHILD, db, "1.0", "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "recorded"
        assert stored(reader) == 0  # still in the child's buffer
        assert [e["method"] for e in reader.entries()] == ["orders"]
    finally:
        child.kill()
        child.wait(timeout=30)


def test_a_process_writes_its_buffer_when_it_exits(tmp_path: Path) -> None:
    db = str(tmp_path / "j.sqlite3")
    subprocess.run([sys.executable, "-c", CHILD, db, "60", "0"], check=True, capture_output=True, timeout=60)
    reader = Journal(db, 100, flush_delay=60)
    assert stored(reader) == 1
    assert not list(Path(db + ".requests.pending").iterdir())


def test_a_dead_process_s_marker_does_not_hold_readers(tmp_path: Path) -> None:
    db = str(tmp_path / "j.sqlite3")
    child = subprocess.Popen([sys.executable, "-c", CHILD, db, "60", "30"], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "recorded"
    child.kill()  # no exit handlers: its buffer is lost, its marker stays behind
    child.wait(timeout=30)
    assert list(Path(db + ".requests.pending").iterdir())
    assert Journal(db, 100).entries() == []
    assert not list(Path(db + ".requests.pending").iterdir())


def test_a_journal_of_size_zero_keeps_nothing(tmp_path: Path) -> None:
    journal = Journal(str(tmp_path / "j.sqlite3"), 0)
    journal.record(**entry("getBalance"))
    assert journal.store is None and journal.entries() == [] and journal.clear() == 0


def test_a_time_beyond_sqlite_integers_is_kept_as_zero(tmp_path: Path) -> None:
    journal = Journal(str(tmp_path / "j.sqlite3"), 100, flush_delay=60)
    journal.record(**entry("getBalance", at=2**70))  # a damaged clock reads back as such a time
    [found] = journal.entries()
    assert found["at"] == 0 and found["method"] == "getBalance"


def test_an_entry_is_dated_by_the_clock_its_request_read() -> None:
    """The view's `now` dates the entry (no second clock read); a request refused before it read the
    clock is dated by a clock read of its own."""
    from sms_rent_mock.mock_server.journal import journal

    from .conftest import START, make_app

    app = make_app()
    world, client, reads = app.extensions["rental_world"], app.test_client(), []
    clock_read = world.now
    world.now = lambda: reads.append(1) or clock_read()  # type: ignore[method-assign]
    assert client.get("/api/getBalance.php", query_string={"apikey": "k1"}).get_json()["response"] == 1
    assert reads == []
    assert client.get("/api/rent/getRentState.php", query_string={"tzid": "x"}).status_code == 200  # no key
    assert reads == [1]
    found = journal(app).entries()
    assert [e["method"] for e in found] == ["getRentState", "getBalance"]
    assert [e["at"] for e in found] == [int(START), int(START)]
    app.extensions["rental_world"].store.close()
