"""Where the fleet read spends its time: cProfile of the fleet GET mix, served in-process.

Builds the fleet of ``serve_bench.py`` (keys x 2 OnlineSim rentals with 3 SMS each) in a temporary file
store, then times ``--requests`` GETs cycling over the list / one rental / balance URLs, calling the WSGI
app directly (no test client, no server: the app's own cost), beside the bare Flask app of ``bare_app.py``
answering the same requests (microseconds per request and their ratio, SQL statements per request),
profiles as many again and prints the top functions by cumulative and by own time. ``--flow`` times the
rent -> read -> close flow of ``serve_bench.py --workload flow`` instead (one key, three requests a cycle).

    python benchmarks/profile_fleet.py [--keys 300] [--requests 6000] [--top 25] [--smspva | --flow]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bare_app  # noqa: E402
from fleet import onlinesim_fleet, onlinesim_urls, smspva_fleet, smspva_urls  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from sms_rent_mock.mock_server.app import create_app, world_of  # noqa: E402
from sms_rent_mock.mock_server.client import MockControl  # noqa: E402


FLOW_URLS = ("/api/rent/getRentNum.php?apikey=flow&country=7&days=1&extension=false&pagination=false",
             "/api/rent/getRentState.php?apikey=flow&pagination=false&tzid={tzid}",
             "/api/rent/closeRentNum.php?apikey=flow&tzid={tzid}")


def environ(url: str) -> dict[str, Any]:
    path, _, query = url.partition("?")
    return EnvironBuilder(path=path, query_string=query).get_environ()


def ignore(status: str, headers: Any, exc_info: Any = None) -> None:
    """A WSGI start_response that keeps nothing."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=300)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--smspva", action="store_true", help="profile the SMSPVA mix (orders, sms) instead")
    parser.add_argument("--flow", action="store_true", help="profile the rent -> read -> close flow instead")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DB": str(Path(tmp) / "profile.sqlite3"), "START_BALANCE": 10**9, "MAX_CONCURRENT": 10**4,
                          "ACTIVATION_DELAY": 0, "CONSOLE": False})
        client, control = app.test_client(), MockControl.in_process(app)

        def get(path: str, params: dict[str, object]) -> object:
            return client.get(path, query_string=params).get_json()

        if opts.flow:  # one environ per step, made before timing: only its query string changes per cycle
            urls = [url.format(tzid="0") for url in FLOW_URLS]
        elif opts.smspva:
            urls = smspva_urls(smspva_fleet(get, control, keys=opts.keys))
        else:
            urls = onlinesim_urls(onlinesim_fleet(get, control, keys=opts.keys))
        environs = [environ(url) for url in urls]

        def serve(wsgi: Any, count: int) -> float:
            """Seconds of CPU for ``count`` requests cycling over the fleet's URLs (or the flow's steps)."""
            began = time.process_time()
            tzid = "0"
            for i in range(count):
                if not opts.flow:
                    b"".join(wsgi(dict(environs[i % len(environs)]), ignore))
                    continue
                step = dict(environs[i % 3], QUERY_STRING=FLOW_URLS[i % 3].partition("?")[2].format(tzid=tzid))
                body = b"".join(wsgi(step, ignore))
                if i % 3 == 0 and wsgi is app:
                    tzid = str(json.loads(body)["item"]["tzid"])
            return time.process_time() - began

        serve(app, 200)  # warm caches
        serve(bare_app.app, 200)
        statements = [0]
        world_of(app).store.db.set_trace_callback(lambda _: statements.__setitem__(0, statements[0] + 1))
        ours = serve(app, opts.requests)
        world_of(app).store.db.set_trace_callback(None)
        bare = serve(bare_app.app, opts.requests)
        what = "flow requests" if opts.flow else "fleet GETs"
        print(f"{opts.requests} {what} in process: {ours / opts.requests * 1e6:.0f} us of CPU each, the bare "
              f"Flask app {bare / opts.requests * 1e6:.0f} us (ours/bare {ours / bare:.2f}x); "
              f"{statements[0] / opts.requests:.2f} SQL statements per request (the store; the journal writes "
              f"from its own thread)")
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        serve(app, opts.requests)
        profiler.disable()
        spent = time.perf_counter() - began
        print(f"{opts.requests} {what} in process: {opts.requests / spent:.0f} req/s under the profiler")
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(opts.top)
            print(out.getvalue())


if __name__ == "__main__":
    main()
