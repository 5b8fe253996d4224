"""One mock shared by several hosts: two ``serve`` processes (2 workers each) on one PostgreSQL database.

Every wait has a deadline: requests time out, the barrier and the joins are bounded.
"""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sms_rent_mock.mock_server.config import new_world
from sms_rent_mock.mock_server.domain import World
from sms_rent_mock.mock_server.storage import open_store

from . import server
from .backends import Database

pytestmark = pytest.mark.server
HOSTS = 2
RENT = "/api/rent/getRentNum.php"


def prepare(url: str, *, stock: int | None = None) -> None:
    """Create the store before serving, optionally with a small RU 1-day stock."""
    world = new_world(open_store(url))
    try:
        if stock is not None:
            world.store.db.execute("UPDATE stock SET count = ? WHERE provider = 'onlinesim' AND country = 'RU' "
                                   "AND period = 1", (stock,))
    finally:
        world.store.close()


def world_of(url: str) -> World:
    return new_world(open_store(url))


def test_two_hosts_never_oversell_and_share_the_journal(pg_database: Database) -> None:
    url = pg_database.fresh_url()
    prepare(url, stock=20)
    procs = [server.start("--db", url, "--workers", "2") for _ in range(HOSTS)]
    try:
        bases = [base for _, base in procs]
        barrier = threading.Barrier(50, timeout=60)

        def rent(i: int) -> str:
            barrier.wait()
            reply = requests.get(f"{bases[i % HOSTS]}{RENT}", params={"apikey": f"key-{i % 10}", "country": 7,
                                                                      "days": 1}, timeout=30)
            return str(reply.json()["response"])

        with ThreadPoolExecutor(50) as pool:
            outcomes = list(pool.map(rent, range(50), timeout=120))
        # a request answered by host A is in the journal host B shows
        requests.get(f"{bases[0]}/api/rent/getBalance.php", params={"apikey": "journal-probe"}, timeout=10)
        seen = requests.get(f"{bases[1]}/_mock/requests", params={"method": "getBalance", "limit": 5},
                            timeout=10).json()["requests"]
    finally:
        for proc, _ in procs:
            server.kill(proc, signal.SIGTERM)
    assert outcomes.count("1") == 20 and outcomes.count("NO_NUMBER") == 30
    assert [e["method"] for e in seen][:1] == ["getBalance"]
    world = world_of(url)
    try:
        assert world.audit() == []  # every balance == the sum of its ledger, and none below zero
        db = world.store.db
        assert tuple(db.execute("SELECT COUNT(*), COUNT(DISTINCT phone) FROM rentals").fetchone()) == (20, 20)
        assert db.execute("SELECT COUNT(*) FROM ledger WHERE kind = 'charge'").fetchone()[0] == 20
        assert db.execute("SELECT count FROM stock WHERE provider = 'onlinesim' AND country = 'RU' "
                          "AND period = 1").fetchone()[0] == 0
    finally:
        world.store.close()


def test_sigkill_of_one_host_loses_no_acknowledged_rental(pg_database: Database) -> None:
    url = pg_database.fresh_url()
    prepare(url)
    settings = ("--set", "max_concurrent=10000", "--set", "start_balance=1000000")
    (victim, victim_url), (survivor, survivor_url) = (server.start("--db", url, "--workers", "2", *settings)
                                                      for _ in range(HOSTS))
    acknowledged: list[tuple[str, int]] = []
    stop = threading.Event()

    def renter(worker: int) -> None:
        session, base = requests.Session(), (victim_url, survivor_url)[worker % HOSTS]
        while not stop.is_set():
            key = f"crash-{worker}"
            try:
                reply = session.get(f"{base}{RENT}", params={"apikey": key, "country": 380, "days": 1},
                                    timeout=5).json()
            except (requests.RequestException, ValueError):
                if base == victim_url:
                    return
                continue
            if reply.get("response") == 1:
                acknowledged.append((key, reply["item"]["tzid"]))

    threads = [threading.Thread(target=renter, args=(i,)) for i in range(6)]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill(victim, signal.SIGKILL)
        time.sleep(0.3)  # the survivor keeps renting while the victim's connections are torn down
        stop.set()
        for t in threads:
            t.join(timeout=15)
        assert len(acknowledged) >= 20 and not any(t.is_alive() for t in threads)
        for key in {k for k, _ in acknowledged}:
            listed = requests.get(f"{survivor_url}/api/rent/getRentState.php", params={"apikey": key},
                                  timeout=10).json()
            held = {item["tzid"] for item in listed["list"]}
            assert {tzid for k, tzid in acknowledged if k == key} <= held
    finally:
        stop.set()
        server.kill(victim, signal.SIGKILL)
        server.kill(survivor, signal.SIGTERM)
    world = world_of(url)
    try:
        assert world.audit() == []
    finally:
        world.store.close()
