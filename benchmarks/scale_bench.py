"""Is the fleet read flat with the store's size? Fleet-read latency on a fresh store and on a big one.

Starts ``serve`` on a new store, builds the OnlineSim fleet of ``serve_bench.py`` and measures its
read; stops the server, adds ``--rentals`` rentals (90 % closed, 10 % open) of other keys with
``--sms`` SMS in all, their charges and their accounts' deposits, written directly with SQL (rows the
mock itself writes: same columns, same invariants: balance = sum of the ledger, one open rental per
number); restarts the server on that file and measures the same read again. Prints p50 and p99 of both
and the ratio (issue 10: p50 within 1.2x).

    python benchmarks/scale_bench.py [--rentals 100000] [--sms 1000000] [--keys 300] [--seconds 8]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fleet import onlinesim_fleet, onlinesim_urls  # noqa: E402
from serve_bench import make_loader, start_ours  # noqa: E402

from sms_rent_mock.mock_server.client import MockControl  # noqa: E402

DAY = 86_400
UNITS = 10_000  # ledger money units per currency unit


def grow(db_path: Path, rentals: int, sms: int, seed: int = 1) -> None:
    """Add ``rentals`` rentals with ``sms`` SMS in all, as the mock would have written them."""
    rng = random.Random(seed)
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("BEGIN IMMEDIATE")
    first = db.execute("SELECT COALESCE(MAX(id) + 1, 100000) FROM rentals").fetchone()[0]
    now = int(time.time())
    keys = max(1, rentals // 10)
    accounts, ledger, rows, texts = [], [], [], []
    for k in range(keys):
        accounts.append((f"bulk{k:06d}", 1000 * UNITS, now - 400 * DAY))
        ledger.append((f"bulk{k:06d}", 1000 * UNITS, "deposit", None, "starting balance", now - 400 * DAY))
    spent = [0] * keys
    per_rental = sms // rentals
    extra = sms - per_rental * rentals
    for n in range(rentals):
        rid, k = first + n, n % keys
        provider = "onlinesim" if n % 2 else "smspva"
        created = now - rng.randint(2, 360) * DAY
        days = 7
        is_open = n % 10 == 0
        expires = now + rng.randint(1, 6) * DAY if is_open else created + days * DAY
        closed = None if is_open else expires
        phone = f"9{rid:09d}"  # unique among every rental, open or not
        rows.append((rid, f"bulk{k:06d}", provider, "RU", "7", phone, "opt1" if provider == "smspva" else "",
                     "MTS" if provider == "smspva" else "", 0 if provider == "smspva" else days, days, created,
                     expires, closed, None if is_open else "expired", expires if is_open else None,
                     int(provider == "smspva"), created if provider == "smspva" else None,
                     created + 1200 if provider == "smspva" else None))
        price = 3 * UNITS
        spent[k] += price
        ledger.append((f"bulk{k:06d}", -price, "charge", rid, f"rent {days} days", created))
        for m in range(per_rental + (1 if n < extra else 0)):
            at = created + 60 + m * 600
            code = f"{rng.randint(0, 999999):06d}"
            texts.append((rid, "Telegram", "opt1" if provider == "smspva" else "Telegram",
                          f"Telegram code: {code}", code, at))
    db.executemany("INSERT INTO accounts(apikey, balance, created_at) VALUES (?, ?, ?)",
                   [(a, b - spent[i], c) for i, (a, b, c) in enumerate(accounts)])
    db.executemany("INSERT INTO ledger(apikey, amount, kind, rental_id, memo, at) VALUES (?, ?, ?, ?, ?, ?)", ledger)
    db.executemany("INSERT INTO rentals(id, apikey, provider, country, dial, phone, services, operator, period, days, "
                   "created_at, expires_at, closed_at, close_reason, due_at, needs_activation, online_from, "
                   "online_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO sms(rental_id, sender, service, text, code, at) VALUES (?, ?, ?, ?, ?, ?)", texts)
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rentals", type=int, default=100_000)
    parser.add_argument("--sms", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=18331)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        ours = start_ours(tmp, opts.port, opts)
        try:
            session = requests.Session()

            def get(path: str, params: dict[str, Any]) -> Any:
                return session.get(ours.base + path, params=params, timeout=30).json()
            urls = onlinesim_urls(onlinesim_fleet(get, MockControl(ours.base, session=session), keys=opts.keys))
            run = make_loader(tmp, {"onlinesim": urls})
            run(ours.base, opts.connections, 1, "onlinesim")
            fresh = run(ours.base, opts.connections, opts.seconds, "onlinesim")
        finally:
            ours.stop()
        began = time.perf_counter()
        grow(tmp / "bench.sqlite3", opts.rentals, opts.sms)
        print(f"added {opts.rentals} rentals and {opts.sms} SMS in {time.perf_counter() - began:.1f} s", flush=True)
        ours = start_ours(tmp, opts.port, opts)
        try:
            run(ours.base, opts.connections, 1, "onlinesim")
            big = run(ours.base, opts.connections, opts.seconds, "onlinesim")
        finally:
            ours.stop()
    print(f"fleet read, {opts.connections} connections, {opts.keys} keys x 2 rentals x 3 SMS")
    print(f"{'store':<44}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}")
    for name, row in (("fresh", fresh), (f"+{opts.rentals} rentals, +{opts.sms} SMS", big)):
        print(f"{name:<44}{row['rps']:>8.0f}{row['p50']:>9.2f}{row['p99']:>9.2f}")
    ratio = big["p50"] / fresh["p50"]
    print(f"p50 big / fresh: {ratio:.2f}x  ({'met' if ratio <= 1.2 else 'NOT met'}: target within 1.2x)")


if __name__ == "__main__":
    main()
