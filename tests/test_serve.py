"""``serve`` as users run it: several worker processes over one SQLite file, and crash safety."""

from __future__ import annotations

import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from sms_rent_mock.mock_server.domain import World
from sms_rent_mock.mock_server.config import new_world
from sms_rent_mock.mock_server.storage import Store

from . import server

pytestmark = pytest.mark.server


def prepare(db: Path, *, stock: int | None = None) -> None:
    """Create the store file before serving, optionally with a small RU 1-day stock."""
    world = new_world(Store(str(db)))
    if stock is not None:
        world.store.db.execute("UPDATE stock SET count = ? WHERE provider = 'onlinesim' AND country = 'RU' AND period = 1",
                               (stock,))
    world.store.close()


def test_fifty_concurrent_rents_with_four_workers_never_oversell(tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite3"
    prepare(db, stock=20)
    with server.serving("--db", str(db), "--workers", "4") as url:
        barrier = threading.Barrier(50)

        def rent(i: int) -> str:
            barrier.wait()
            reply = requests.get(f"{url}/api/rent/getRentNum.php",
                                 params={"apikey": f"key-{i % 10}", "country": 7, "days": 1}, timeout=30)
            return str(reply.json()["response"])

        with ThreadPoolExecutor(50) as pool:
            outcomes = list(pool.map(rent, range(50)))
    assert outcomes.count("1") == 20
    assert outcomes.count("NO_NUMBER") == 30
    world = new_world(Store(str(db)))
    assert world.audit() == []
    rows = world.store.db.execute("SELECT COUNT(*), COUNT(DISTINCT phone) FROM rentals").fetchone()
    assert tuple(rows) == (20, 20)
    assert world.store.db.execute("SELECT count FROM stock WHERE provider = 'onlinesim' AND country = 'RU' "
                                  "AND period = 1").fetchone()[0] == 0


def test_sigkill_during_rents_loses_no_acknowledged_rental(tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite3"
    prepare(db)
    proc, url = server.start("--db", str(db), "--workers", "2", "--set", "max_concurrent=10000",
                             "--set", "start_balance=1000000")
    acknowledged: list[tuple[str, int]] = []
    stop = threading.Event()

    def renter(worker: int) -> None:
        session = requests.Session()
        while not stop.is_set():
            key = f"crash-{worker}"
            try:
                reply = session.get(f"{url}/api/rent/getRentNum.php",
                                    params={"apikey": key, "country": 380, "days": 1}, timeout=5).json()
            except (requests.RequestException, ValueError):
                return
            if reply.get("response") == 1:
                acknowledged.append((key, reply["item"]["tzid"]))

    threads = [threading.Thread(target=renter, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    while len(acknowledged) < 15 and proc.poll() is None:
        threading.Event().wait(0.01)
    server.kill(proc, signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert len(acknowledged) >= 15

    with server.serving("--db", str(db)) as url2:
        for key in {k for k, _ in acknowledged}:
            listed = requests.get(f"{url2}/api/rent/getRentState.php", params={"apikey": key}, timeout=10).json()
            held = {item["tzid"] for item in listed["list"]}
            assert {tzid for k, tzid in acknowledged if k == key} <= held
    assert new_world(Store(str(db))).audit() == []
