"""Throughput, latency, memory and start-up of ``sms-rent-mock serve`` beside a bare Flask app and Prism.

Three servers, running side by side and measured in turn, row by row (a machine that speeds up or slows
down during the run then moves all three alike), with the same loader (wrk with a Lua script that cycles
over a list of URLs; a Python keep-alive loader in subprocesses when wrk is missing):

- ``serve``: 2 workers (``--workers``), the request journal on (the default);
- ``bare``: a Flask app answering every GET with a one-line JSON body (``bare_app.py``), on Granian
  with the same workers and threads: the most this stack can do;
- ``prism``: Prism 5.16 (``npm install`` once into ``benchmarks/.cache``) mocking our own OpenAPI
  document (``sms-rent-mock openapi``): the stateless tool a user would pick instead.

A server that cannot start is skipped with a message. Workloads: the OnlineSim fleet read (``--keys``
keys x 2 rentals with 3 SMS each, made through provider calls and the control API before measuring;
each connection cycles over the list, one-rental and balance URLs) at 16 and 1 connections, the same
mix for SMSPVA (orders, sms), and a rent -> read -> close flow at 16 connections. Prints req/s, p50 and
p99 per server, the ratios ours/bare and ours/Prism, the targets of issue 10, the PSS of all server
processes after the run (``serve`` topped up to ``--total`` requests) and the time from start to first answer.

    python benchmarks/serve_bench.py [--workers 2] [--threads 2] [--seconds 8] [--keys 300]

``--workload flow`` (repeatable: ``onlinesim``, ``smspva``, ``flow``) measures only those workloads; with
only ``flow`` no fleet is built and ``serve`` is not topped up, so a write-path change is measured in seconds.

``--db postgresql://user@host/dbname`` (or ``--db postgresql`` for a throwaway cluster made with the
tests' helper, ``tests/pg_cluster.py``) measures instead the shared mock: ``HOSTS`` ``serve`` processes
on PostgreSQL beside the same number on one SQLite file, ``--workers`` each, the load split evenly over
the hosts: the OnlineSim fleet read and the rent -> read -> close flow.

    python benchmarks/serve_bench.py --db postgresql [--seconds 8] [--keys 300]

Loopback only; every run is bounded in time, every top-up in count.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fleet import SERVER_SETTINGS, onlinesim_fleet, onlinesim_urls, smspva_fleet, smspva_urls  # noqa: E402

from sms_rent_mock.mock_server.client import MockControl  # noqa: E402

PRISM_VERSION = "5.16"
CACHE = HERE / ".cache"
PROBE = "/api/getBalance.php?apikey=probe"

CYCLE_LUA = r"""
local urls = {}
for line in io.lines("%(file)s") do urls[#urls + 1] = line end
local threads = 0
setup = function(thread) thread:set("first", threads * 7919); threads = threads + 1 end
init = function(args) i = (first or 0) %% #urls end
request = function()
  i = i %% #urls + 1
  return wrk.format("GET", urls[i])
end
"""

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
FLOW_URLS = ("/api/rent/getRentNum.php?apikey=flow&country=7&days=1&extension=false&pagination=false",
             "/api/rent/getRentState.php?apikey=flow&pagination=false&tzid={tzid}",
             "/api/rent/closeRentNum.php?apikey=flow&tzid={tzid}")


# -- servers ----------------------------------------------------------------------------------------

class Server:
    """A server process group started by the benchmark, with its time to first answer."""

    def __init__(self, name: str, args: list[str], port: int, *, env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> None:
        self.name, self.base = name, f"http://127.0.0.1:{port}"
        began = time.perf_counter()
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd,
                                     env={**os.environ, **(env or {})}, start_new_session=True)
        while True:
            try:
                requests.get(self.base + PROBE, timeout=1)
                break
            except requests.RequestException:
                if self.proc.poll() is not None or time.perf_counter() - began > 60:
                    self.stop()
                    raise RuntimeError(f"{name} did not start") from None
                time.sleep(0.005)
        self.ready = time.perf_counter() - began

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)


def byte_compile_package() -> None:
    """Byte-compile the package, as pip does when it installs one (and as Python does on a first import).
    A checkout installed in editable mode on a machine that sets ``PYTHONDONTWRITEBYTECODE=1`` (this one
    does) never caches its bytecode, so each ``serve`` would compile every module again at start-up
    (about 0.15 s here), which no installed copy does."""
    import compileall
    import importlib.util

    for name in ("mock_server", "schemas", "fixtures"):
        spec = importlib.util.find_spec(f"sms_rent_mock.{name}")
        for folder in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(folder, quiet=1)


def start_ours(tmp: Path, port: int, opts: argparse.Namespace, db: str | None = None) -> Server:
    db = db or str(tmp / "bench.sqlite3")
    args = [sys.executable, "-m", "sms_rent_mock.mock_server", "serve", "--db", db, "--port", str(port),
            "--workers", str(opts.workers), "--threads", str(opts.threads), "--auto-sms", "0", "--no-console"]
    for name, value in SERVER_SETTINGS.items():
        args += ["--set", f"{name}={value}"]
    return Server("serve", args, port)


def start_bare(tmp: Path, port: int, opts: argparse.Namespace) -> Server:
    args = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(opts.workers), "--blocking-threads", str(opts.threads), "--no-ws", "bare_app:app"]
    return Server("bare", args, port, cwd=HERE)


def prism_binary() -> Path:
    """Prism from the benchmark's cache, installed with npm on first use."""
    folder = CACHE / f"prism-{PRISM_VERSION}"
    binary = folder / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        if shutil.which("npm") is None:
            raise RuntimeError("npm is not installed")
        print(f"installing @stoplight/prism-cli@{PRISM_VERSION} into {folder} (once)", flush=True)
        subprocess.run(["npm", "install", "--prefix", str(folder), f"@stoplight/prism-cli@{PRISM_VERSION}"],
                       check=True, capture_output=True, timeout=600)
    return binary


def start_prism(tmp: Path, port: int, opts: argparse.Namespace) -> Server:
    document = tmp / "openapi.json"
    document.write_text(subprocess.run([sys.executable, "-m", "sms_rent_mock.mock_server", "openapi"], check=True,
                                       capture_output=True, text=True, timeout=120).stdout)
    return Server("prism", [str(prism_binary()), "mock", "-h", "127.0.0.1", "-p", str(port), str(document)], port)


# -- loaders ----------------------------------------------------------------------------------------

def wrk_run(base: str, connections: int, seconds: float, script: Path, *, one_per_thread: bool) -> dict[str, float]:
    threads = connections if one_per_thread else min(connections, 2)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "-s", str(script),
           base + "/"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode:
        raise RuntimeError(f"wrk failed: {done.stderr.strip() or done.stdout.strip()}")
    out = done.stdout
    units = {"us": 1e-3, "ms": 1.0, "s": 1e3}

    def latency(pct: str) -> float:
        value, unit = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()  # type: ignore[union-attr]
        return float(value) * units[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            "p50": latency("50"), "p99": latency("99"),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
            "non2xx": int(errors.group(1)) if errors else 0}


PY_LOADER = r"""
import http.client, json, re, sys, time
host, port, first, seconds, flow = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[6] == "1"
urls = open(sys.argv[5]).read().split()
conn = http.client.HTTPConnection(host, port, timeout=30)
lat, bad, i, tzid, step = [], 0, first, "0", 0
end = time.perf_counter() + seconds
while time.perf_counter() < end:
    url = urls[step].format(tzid=tzid) if flow else urls[i % len(urls)]
    i += 1
    began = time.perf_counter()
    conn.request("GET", url)
    reply = conn.getresponse()
    body = reply.read()
    lat.append(time.perf_counter() - began)
    bad += reply.status >= 400
    if flow:
        found = re.search(rb'"tzid":(\d+)', body) if step == 0 else None
        step = (1 if found else 0) if step == 0 else (step + 1) % 3
        tzid = found.group(1).decode() if found else tzid
print(json.dumps({"lat": lat, "bad": bad}))
"""


def py_run(base: str, connections: int, seconds: float, urls_file: Path, *, flow: bool) -> dict[str, float]:
    """The fallback loader: one keep-alive connection per subprocess, latencies merged."""
    host, port = base.removeprefix("http://").split(":")
    procs = [subprocess.Popen([sys.executable, "-c", PY_LOADER, host, port, str(c * 7919), str(seconds),
                               str(urls_file), "1" if flow else "0"], stdout=subprocess.PIPE, text=True)
             for c in range(connections)]
    lat: list[float] = []
    bad = 0
    for proc in procs:
        out, _ = proc.communicate(timeout=seconds + 60)
        found = json.loads(out)
        lat += found["lat"]
        bad += found["bad"]
    lat.sort()
    return {"rps": len(lat) / seconds, "p50": lat[len(lat) // 2] * 1e3, "p99": lat[int(len(lat) * 0.99)] * 1e3,
            "requests": len(lat), "non2xx": bad}


Loader = Callable[[str, int, float, str], dict[str, float]]


def make_loader(tmp: Path, lists: dict[str, list[str]]) -> Loader:
    files = {}
    for name, urls in lists.items():
        files[name] = tmp / f"{name}.urls"
        files[name].write_text("\n".join(urls) + "\n")
    (tmp / "flow.urls").write_text("\n".join(FLOW_URLS) + "\n")
    scripts = {name: tmp / f"{name}.lua" for name in files}
    for name, script in scripts.items():
        script.write_text(CYCLE_LUA % {"file": files[name]})
    (tmp / "flow.lua").write_text(FLOW_LUA)
    have_wrk = shutil.which("wrk") is not None
    if not have_wrk:
        print("wrk not found: using the Python keep-alive loader for every server")

    def run(base: str, connections: int, seconds: float, workload: str) -> dict[str, float]:
        flow = workload == "flow"
        if have_wrk:
            return wrk_run(base, connections, seconds, tmp / f"{workload}.lua", one_per_thread=flow)
        return py_run(base, connections, seconds, tmp / f"{workload}.urls", flow=flow)
    return run


# -- the run ----------------------------------------------------------------------------------------

WORKLOADS = (("onlinesim fleet read", "onlinesim", 16), ("onlinesim fleet read", "onlinesim", 1),
             ("smspva fleet read", "smspva", 16), ("smspva fleet read", "smspva", 1),
             ("rent-read-close flow", "flow", 16))


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


def chosen_workloads(opts: argparse.Namespace) -> tuple[tuple[str, str, int], ...]:
    return tuple(w for w in WORKLOADS if not opts.workload or w[1] in opts.workload)


def measure(servers: list[Server], run: Loader, opts: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Each workload row on every server in turn (one server right after the other, so a machine that
    speeds up or slows down during the run moves all three alike and the ratios hold); then ``serve``
    topped up to ``--total`` requests, and each server's memory."""
    results: dict[str, dict[str, Any]] = {s.name: {"rows": {}, "served": 0, "ready": s.ready} for s in servers}
    for _, workload, conns in chosen_workloads(opts):
        for server in servers:
            run(server.base, conns, 1, workload)  # warm-up, not counted
            row = run(server.base, conns, opts.seconds, workload)
            results[server.name]["rows"][workload, conns] = row
            results[server.name]["served"] += int(row["requests"])
            print(f"  {server.name:<6} {workload:<10} {conns:>3} conns: {row['rps']:>7.0f} req/s  p50 {row['p50']:.2f} ms"
                  f"  p99 {row['p99']:.2f} ms" + (f"  ({row['non2xx']:.0f} non-2xx)" if row["non2xx"] else ""),
                  flush=True)
    for server in servers:
        found = results[server.name]
        for _ in range(100 if server.name == "serve" and "onlinesim" in {w[1] for w in chosen_workloads(opts)} else 0):
            # top ours up to --total requests, bounded
            if found["served"] >= opts.total:
                break
            found["served"] += int(run(server.base, 16, 5, "onlinesim")["requests"])
        found["rss"], found["pss"] = memory_mb(server.proc.pid)
    return results


def report(results: dict[str, dict[str, Any]], opts: argparse.Namespace) -> None:
    names = list(results)
    print(f"\nworkers {opts.workers} x threads {opts.threads}, {opts.seconds} s per row, {os.cpu_count()} cores, "
          f"fleet {opts.keys} keys x 2 rentals x 3 SMS")
    head = f"{'workload':<22}{'conns':>6}" + "".join(f"{n + ' req/s':>14}{'p50':>7}{'p99':>7}" for n in names)
    ratios = [n for n in ("bare", "prism") if n in results and "serve" in results]
    print(head + "".join(f"{'ours/' + n:>12}" for n in ratios))
    for label, workload, conns in chosen_workloads(opts):
        line = f"{label:<22}{conns:>6}"
        for n in names:
            row = results[n]["rows"][workload, conns]
            line += f"{row['rps']:>14.0f}{row['p50']:>7.2f}{row['p99']:>7.2f}"
        for n in ratios:
            line += f"{results['serve']['rows'][workload, conns]['rps'] / results[n]['rows'][workload, conns]['rps']:>11.2f}x"
        print(line)
    for n in names:
        r = results[n]
        print(f"{n}: ready after {r['ready']:.3f} s; after {r['served']} requests {r['pss']:.1f} MB PSS "
              f"({r['rss']:.1f} MB RSS summed) over all its processes")
    if "serve" not in results:
        return
    ours = results["serve"]

    def ratio(other: str, workload: str, conns: int) -> float | None:
        if other not in results or (workload, conns) not in ours["rows"]:
            return None
        return float(ours["rows"][workload, conns]["rps"] / results[other]["rows"][workload, conns]["rps"])

    targets = [("fleet read 16 conns >= 0.5x bare", ratio("bare", "onlinesim", 16), 0.5),
               ("fleet read 1 conn >= 0.6x bare", ratio("bare", "onlinesim", 1), 0.6),
               ("fleet read 16 conns >= 4x Prism", ratio("prism", "onlinesim", 16), 4.0),
               ("fleet read 1 conn >= 3x Prism", ratio("prism", "onlinesim", 1), 3.0),
               ("flow 16 conns >= 0.25x bare", ratio("bare", "flow", 16), 0.25)]
    print("\ntargets (issue 10)")
    for label, value, goal in targets:
        print(f"  {label:<36} " + ("skipped" if value is None else f"{value:.2f}x  {'met' if value >= goal else 'NOT met'}"))
    if ("onlinesim", 16) in ours["rows"]:
        p99 = ours["rows"]["onlinesim", 16]["p99"]
        print(f"  {'fleet read p99 at 16 conns < 10 ms':<36} {p99:.2f} ms  {'met' if p99 < 10 else 'NOT met'}")
    print(f"  {'PSS < 100 MB':<36} {ours['pss']:.1f} MB  {'met' if ours['pss'] < 100 else 'NOT met'}")
    print(f"  {'ready < 0.45 s':<36} {ours['ready']:.3f} s  {'met' if ours['ready'] < 0.45 else 'NOT met'}")


# -- the shared mock: PostgreSQL beside SQLite, several hosts ------------------------------------------

HOSTS = 2
SHARED_WORKLOADS = (("onlinesim fleet read", "onlinesim", 16), ("onlinesim fleet read", "onlinesim", 1),
                    ("rent-read-close flow", "flow", 16))


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure_hosts(servers: list[Server], run: Loader, opts: argparse.Namespace) -> dict[tuple[str, int], Any]:
    """Each workload's connections split over the hosts, run at once: req/s summed, p50 / p99 the worst host's."""
    from concurrent.futures import ThreadPoolExecutor

    rows: dict[tuple[str, int], Any] = {}
    for label, workload, conns in SHARED_WORKLOADS:
        used = servers[:conns]
        share = [conns // len(used) + (i < conns % len(used)) for i in range(len(used))]
        with ThreadPoolExecutor(len(used)) as pool:
            list(pool.map(lambda sc: run(sc[0].base, sc[1], 1, workload), zip(used, share)))  # warm-up
            found = list(pool.map(lambda sc: run(sc[0].base, sc[1], opts.seconds, workload), zip(used, share)))
        rows[workload, conns] = row = {"rps": sum(f["rps"] for f in found), "p50": max(f["p50"] for f in found),
                                       "p99": max(f["p99"] for f in found),
                                       "non2xx": sum(f["non2xx"] for f in found)}
        print(f"  {len(used)} host(s) {label:<22} {conns:>3} conns: {row['rps']:>7.0f} req/s  p50 {row['p50']:.2f} ms"
              f"  p99 {row['p99']:.2f} ms" + (f"  ({row['non2xx']:.0f} non-2xx)" if row["non2xx"] else ""), flush=True)
    return rows


def shared_mock(opts: argparse.Namespace) -> None:
    """``--db``: the same workloads on SQLite and on PostgreSQL, ``HOSTS`` hosts x ``--workers`` each."""
    cluster = None
    url = opts.db
    if url == "postgresql":
        sys.path.insert(0, str(HERE.parent / "tests"))
        from pg_cluster import Cluster
        cluster = Cluster().start()
        url = cluster.create_db("bench")
    results: dict[str, dict[tuple[str, int], Any]] = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            for name, db in (("sqlite", str(tmp / "bench.sqlite3")), ("postgresql", url)):
                print(f"{name}: {HOSTS} hosts x {opts.workers} workers; building the fleet", flush=True)
                servers: list[Server] = []
                try:
                    for _ in range(HOSTS):  # free ports: another benchmark may hold --port
                        servers.append(start_ours(tmp, free_port(), opts, db))
                    session = requests.Session()

                    def get(path: str, params: dict[str, Any]) -> Any:
                        return session.get(servers[0].base + path, params=params, timeout=30).json()
                    urls = onlinesim_urls(onlinesim_fleet(get, MockControl(servers[0].base, session=session),
                                                          keys=opts.keys))
                    results[name] = measure_hosts(servers, make_loader(tmp, {"onlinesim": urls}), opts)
                finally:
                    for server in servers:
                        server.stop()
    finally:
        if cluster is not None:
            cluster.stop()
    print(f"\n{HOSTS} hosts x {opts.workers} workers x {opts.threads} threads, {opts.seconds} s per row, "
          f"{os.cpu_count()} cores, fleet {opts.keys} keys x 2 rentals x 3 SMS")
    print(f"{'workload':<22}{'conns':>6}" + "".join(f"{n + ' req/s':>18}{'p50':>7}{'p99':>8}" for n in results)
          + f"{'pg/sqlite':>11}")
    for label, workload, conns in SHARED_WORKLOADS:
        line = f"{label:<22}{conns:>6}"
        for rows in results.values():
            row = rows[workload, conns]
            line += f"{row['rps']:>18.0f}{row['p50']:>7.2f}{row['p99']:>8.2f}"
        if len(results) == 2:
            line += f"{results['postgresql'][workload, conns]['rps'] / results['sqlite'][workload, conns]['rps']:>10.2f}x"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="threads per worker, both servers (serve's default)")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--keys", type=int, default=300, help="fleet keys (each: 2 rentals x 3 SMS per provider)")
    parser.add_argument("--total", type=int, default=100_000, help="requests served before memory is read")
    parser.add_argument("--port", type=int, default=18321)
    parser.add_argument("--only", choices=("serve", "bare", "prism"), action="append",
                        help="measure only these servers (repeatable)")
    parser.add_argument("--workload", choices=("onlinesim", "smspva", "flow"), action="append",
                        help="measure only these workloads (repeatable)")
    parser.add_argument("--db", default=None, metavar="postgresql[://URL]",
                        help="the shared mock on PostgreSQL beside SQLite, 2 hosts (no URL: a throwaway cluster)")
    opts = parser.parse_args()
    byte_compile_package()
    if opts.db:
        shared_mock(opts)
        return
    chosen = opts.only or ["serve", "bare", "prism"]
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        print("serve: building the fleet through provider calls and the control API", flush=True)
        servers = [start_ours(tmp, opts.port, opts)]
        try:
            session = requests.Session()

            def get(path: str, params: dict[str, Any]) -> Any:
                return session.get(servers[0].base + path, params=params, timeout=30).json()
            control = MockControl(servers[0].base, session=session)
            fleets = {"onlinesim": lambda: onlinesim_urls(onlinesim_fleet(get, control, keys=opts.keys)),
                      "smspva": lambda: smspva_urls(smspva_fleet(get, control, keys=opts.keys))}
            lists = {name: build() for name, build in fleets.items()
                     if not opts.workload or name in opts.workload}
            run = make_loader(tmp, lists)
            if "serve" not in chosen:
                servers.pop().stop()
            starters = {"bare": start_bare, "prism": start_prism}
            for offset, name in enumerate(("bare", "prism"), start=1):
                if name not in chosen:
                    continue
                try:  # each started while the others are idle: its time to first answer is its own
                    servers.append(starters[name](tmp, opts.port + offset, opts))
                except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                    print(f"{name}: skipped ({exc})", flush=True)
            results = measure(servers, run, opts)
        finally:
            for server in servers:
                server.stop()
    report(results, opts)


if __name__ == "__main__":
    main()
