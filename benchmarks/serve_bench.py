"""Throughput, latency, start-up time and memory of ``sms-rent-mock serve``, measured with wrk.

Prints, for 1 and 16 keep-alive connections: requests per second, p50 and p99 latency for a read
(getRentState of a key holding 20 rentals) and for a rent -> read -> close flow; then the time from
process start to the first answer, and the resident memory of the server's processes after at least
100,000 requests.

    python benchmarks/serve_bench.py [--workers 2] [--threads 8] [--seconds 10]

Needs ``wrk`` (Debian: ``apt-get install wrk``). Loopback only; every run is bounded in time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

FLOW_LUA = r"""
local step, tzid = 0, nil
request = function()
  if step == 0 then
    return wrk.format("GET", "/api/rent/getRentNum.php?apikey=flow&country=7&days=1&extension=false&pagination=false")
  elseif step == 1 then
    return wrk.format("GET", "/api/rent/getRentState.php?apikey=flow&pagination=false&tzid=" .. tzid)
  end
  return wrk.format("GET", "/api/rent/closeRentNum.php?apikey=flow&tzid=" .. tzid)
end
response = function(status, headers, body)
  if step == 0 then
    local id = string.match(body, '"tzid":(%d+)')
    if id then tzid = id; step = 1 end
  elseif step == 1 then step = 2 else step = 0 end
end
"""


def start_server(db: Path, port: int, workers: int, threads: int, journal: int) -> tuple[subprocess.Popen[bytes], float]:
    args = [sys.executable, "-m", "mock_server", "serve", "--db", str(db), "--port", str(port),
            "--workers", str(workers), "--threads", str(threads), "--journal-size", str(journal),
            "--set", "start_balance=1000000000", "--set", "max_concurrent=100000"]
    began = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api/getBalance.php?apikey=probe"
    while True:
        try:
            requests.get(url, timeout=1)
            return proc, time.perf_counter() - began
        except requests.ConnectionError:
            if proc.poll() is not None or time.perf_counter() - began > 30:
                raise SystemExit("serve did not start") from None
            time.sleep(0.005)


def wrk(url: str, connections: int, seconds: int, script: Path | None = None) -> dict[str, float]:
    threads = connections if script else min(connections, 2)  # the flow script keeps one state per thread
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        cmd[1:1] = ["-s", str(script)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    units = {"us": 1e-3, "ms": 1.0, "s": 1e3}

    def latency(pct: str) -> float:
        value, unit = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()  # type: ignore[union-attr]
        return float(value) * units[unit]

    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rate, "p50": latency("50"), "p99": latency("99"), "requests": total,
            "non2xx": int(errors.group(1)) if errors else 0}


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process and all its descendants, in MB. RSS counts pages the workers share with
    their parent once per process; PSS splits shared pages between them, so its sum is the real total."""
    rss = pss = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            rss += int(re.search(r"^Rss:\s+(\d+) kB", rollup, re.M).group(1))  # type: ignore[union-attr]
            pss += int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1))  # type: ignore[union-attr]
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, AttributeError):
            continue
        todo.extend(int(c) for c in children)
    return rss / 1024, pss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=18321)
    parser.add_argument("--journal-size", type=int, default=1000, help="serve's request journal (0 = off)")
    opts = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    base = f"http://127.0.0.1:{opts.port}"
    with tempfile.TemporaryDirectory() as tmp:
        proc, ready = start_server(Path(tmp) / "bench.sqlite3", opts.port, opts.workers, opts.threads,
                                   opts.journal_size)
        try:
            for _ in range(20):
                requests.get(f"{base}/api/rent/getRentNum.php", params={"apikey": "reader", "country": 7, "days": 30},
                             timeout=10).raise_for_status()
            held = len(requests.get(f"{base}/api/rent/getRentState.php?apikey=reader", timeout=10).json()["list"])
            script = Path(tmp) / "flow.lua"
            script.write_text(FLOW_LUA)
            read_url = f"{base}/api/rent/getRentState.php?apikey=reader&pagination=false"
            print(f"sms-rent-mock serve: {opts.workers} worker(s) x {opts.threads} threads, journal {opts.journal_size}, "
                  f"wrk {opts.seconds} s per row, "
                  f"{os.cpu_count()} cores; read = getRentState with {held} rentals held")
            print(f"{'workload':<28}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
            served = 0
            for name, url, lua in (("read", read_url, None), ("rent-read-close flow", base + "/", script)):
                for conns in (1, 16):
                    row = wrk(url, conns, opts.seconds, lua)
                    served += int(row["requests"])
                    print(f"{name:<28}{conns:>6}{row['rps']:>10.0f}{row['p50']:>9.2f}{row['p99']:>9.2f}"
                          + (f"  ({row['non2xx']:.0f} non-2xx)" if row["non2xx"] else ""))
            while served < 100_000:
                served += int(wrk(read_url, 16, 5)["requests"])
            print(f"ready after start: {ready:.3f} s")
            rss, pss = memory_mb(proc.pid)
            print(f"memory after {served} requests, all server processes: {pss:.1f} MB PSS ({rss:.1f} MB RSS summed)")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
