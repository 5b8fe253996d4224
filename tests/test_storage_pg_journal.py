"""The journal on PostgreSQL: a reader on one host waits for the entries another host still buffers,
and a host that went away holds nobody up."""

from __future__ import annotations

import time

from sms_rent_mock.mock_server.journal import WAIT_LIMIT, Journal

from .backends import Database


def entry(journal: Journal, method: str) -> None:
    journal.record(provider="onlinesim", method=method, params={"apikey": "k"}, outcome="ok", http_status=200,
                   fault=None, duration_ms=1.0, at=0)


def test_a_reader_sees_what_another_host_answered_before(pg_database: Database) -> None:
    url = pg_database.fresh_url()
    # two URLs of one database: two "hosts" (one process flushes only its own host's journals itself)
    host_a = Journal(f"{url}&application_name=a", 100, flush_delay=0.4)
    host_b = Journal(f"{url}&application_name=b", 100)
    try:
        entry(host_a, "first")
        started = time.monotonic()
        assert [e["method"] for e in host_b.entries()] == ["first"]  # waited for A's flusher
        assert time.monotonic() - started < WAIT_LIMIT
        assert host_b.clear() == 1 and host_a.entries() == []
    finally:
        host_a.close()
        host_b.close()


def test_a_host_that_went_away_holds_nobody_up(pg_database: Database) -> None:
    url = pg_database.fresh_url()
    gone = Journal(f"{url}&application_name=gone", 100, flush_delay=30)
    reader = Journal(f"{url}&application_name=reader", 100)
    try:
        entry(gone, "lost")
        gone.pending.close()  # its connection ends, as when the host is killed: the mark goes with it
        started = time.monotonic()
        assert reader.entries() == []
        assert time.monotonic() - started < WAIT_LIMIT / 2
    finally:
        gone._buffer.clear()
        gone.close()
        reader.close()
