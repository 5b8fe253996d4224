"""``serve --tls`` / ``--tls-port`` as users run it: clients trust the printed certificate, HTTP and HTTPS share
one state, the console works over HTTPS, and a bad certificate is one line and exit 2."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import requests

from sms_rent_mock.mock_server import tls

from . import server

pytestmark = pytest.mark.server


def rent(base: str, trust: Path | None, key: str) -> int:
    reply = requests.get(f"{base}/api/rent/getRentNum.php", params={"apikey": key, "country": 7, "days": 1},
                         timeout=30, verify=str(trust) if trust else True).json()
    assert reply["response"] == 1, reply
    return int(reply["item"]["tzid"])


def held(base: str, trust: Path | None, key: str) -> set[int]:
    reply = requests.get(f"{base}/api/rent/getRentState.php", params={"apikey": key}, timeout=30,
                         verify=str(trust) if trust else True).json()
    return {int(item["tzid"]) for item in reply["list"]}


def test_client_trusting_the_printed_certificate_rents_and_reads_over_https(tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite3"
    with server.serving_tls("--db", str(db), log=tmp_path / "serve.log") as served:
        assert served.trust == tls.store_dir(str(db)) / "ca.pem"
        assert f"serving on {served.https} (1 worker(s))" in served.output()
        tzid = rent(served.https, served.trust, "tls-key")
        assert held(served.https, served.trust, "tls-key") == {tzid}
        pva = requests.get(f"{served.https}/api/rent.php", params={"method": "getcountries"},
                           timeout=30, verify=str(served.trust)).json()
        assert pva["status"] == 1
        # SSL_CERT_FILE: what OpenSSL-based clients (urllib, PHP, Ruby) read when told nothing else
        probe = ("import json, urllib.request; print(json.load(urllib.request.urlopen("
                 f"'{served.https}/api/rent/getRentState.php?apikey=tls-key', timeout=30))['response'])")
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                             env={"SSL_CERT_FILE": str(served.trust), "PATH": "/usr/bin:/bin"})
        assert (out.returncode, out.stdout.strip()) == (0, "1"), out.stderr


def test_client_without_the_certificate_fails_verification(tmp_path: Path) -> None:
    with server.serving_tls("--db", str(tmp_path / "mock.sqlite3"), log=tmp_path / "serve.log") as served:
        with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
            requests.get(f"{served.https}/api/rent/getRentState.php?apikey=k", timeout=30)
        with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
            urllib.request.urlopen(f"{served.https}/api/rent/getRentState.php?apikey=k", timeout=30)
        assert held(served.https, served.trust, "k") == set()  # the refused clients changed nothing


def test_certificate_is_kept_across_restarts(tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite3"
    with server.serving_tls("--db", str(db), log=tmp_path / "first.log") as first:
        assert "TLS: made a new certificate" in first.output()
        tzid = rent(first.https, first.trust, "kept")
        ca = first.trust.read_bytes()
    with server.serving_tls("--db", str(db), log=tmp_path / "second.log") as second:
        assert "TLS: kept certificate" in second.output()
        assert second.trust == first.trust and second.trust.read_bytes() == ca
        assert held(second.https, first.trust, "kept") == {tzid}  # a client trusting the old file still connects


def test_http_and_https_ports_share_one_state_and_stop_together(tmp_path: Path) -> None:
    served = server.start_tls("--db", str(tmp_path / "mock.sqlite3"), "--workers", "2", log=tmp_path / "serve.log",
                              both=True)
    try:
        assert served.http is not None
        assert f"serving on {served.http} and {served.https} (2 worker(s) each)" in served.output()
        over_https = rent(served.https, served.trust, "both")
        over_http = rent(served.http, None, "both")
        assert held(served.http, None, "both") == held(served.https, served.trust, "both") == {over_https, over_http}
        with pytest.raises(requests.ConnectionError):  # the HTTP port speaks no TLS
            requests.get(f"{served.http.replace('http:', 'https:')}/", timeout=10, verify=str(served.trust))
        assert len(server.session_members(served.proc.pid)) == 7  # the parent, two servers, two workers each
    finally:
        served.proc.send_signal(signal.SIGTERM)  # to the parent only: it must stop both servers and their workers
        code = served.proc.wait(timeout=30)
        stragglers = server.session_members(served.proc.pid)
        server.kill(served.proc)
    assert code == 0
    assert stragglers == []
    for base, verify in ((served.http, True), (served.https, str(served.trust))):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{base}/", timeout=5, verify=verify)


def test_console_loads_over_https_and_calls_the_control_api_same_origin(tmp_path: Path) -> None:
    with server.serving_tls("--db", str(tmp_path / "mock.sqlite3"), log=tmp_path / "serve.log") as served:
        verify = str(served.trust)
        page = requests.get(f"{served.https}/", timeout=30, verify=verify)
        assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
        assert "http://" not in page.text  # every asset and call is same-origin, so it follows the page's scheme
        linked = re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css))"', page.text)
        assert sorted(Path(path).name for path in linked) == ["console.css", "console.js"]
        for path in linked:
            loaded = requests.get(f"{served.https}{path}", timeout=30, verify=verify)
            assert loaded.status_code == 200 and "http://" not in loaded.text
        origin = {"Origin": served.https, "Referer": f"{served.https}/"}  # what the browser sends from this page
        clock = requests.get(f"{served.https}/_mock/clock", headers=origin, timeout=30, verify=verify)
        assert clock.status_code == 200, clock.text
        reset = requests.post(f"{served.https}/_mock/reset", json={}, headers=origin, timeout=30, verify=verify)
        assert reset.status_code == 200, reset.text


def test_memory_store_gets_a_temporary_certificate_removed_on_exit(tmp_path: Path) -> None:
    served = server.start_tls("--db", ":memory:", log=tmp_path / "serve.log")
    try:
        assert served.trust.name == "ca.pem" and served.trust.parent.name.startswith("sms-rent-mock-tls-")
        rent(served.https, served.trust, "mem")
    finally:
        server.kill(served.proc, signal.SIGTERM)
    assert not served.trust.parent.exists()


def test_users_own_certificate_is_served(tmp_path: Path) -> None:
    own = tls.local_pair(tmp_path / "own")  # any CA-signed pair; here one made the same way
    served = server.start_tls("--db", str(tmp_path / "mock.sqlite3"), "--tls-cert", str(own.cert),
                              "--tls-key", str(own.key), log=tmp_path / "serve.log")
    try:
        assert served.trust == own.cert  # serve prints the certificate it serves
        assert held(served.https, own.trust, "own") == set()
        assert not (tmp_path / "mock.sqlite3.tls").exists()  # nothing made when the user brings a pair
    finally:
        server.kill(served.proc, signal.SIGTERM)


def serve_fails(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sms_rent_mock.mock_server", "serve", "--port", str(server.free_port()), *args],
                          capture_output=True, text=True, timeout=60, cwd=cwd)


@pytest.mark.parametrize("fault", ["missing cert", "folder key", "garbage cert", "mismatched key"])
def test_bad_certificate_is_one_line_exit_2_and_touches_no_store(tmp_path: Path, fault: str) -> None:
    made, other = tls.local_pair(tmp_path / "a"), tls.local_pair(tmp_path / "b")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    cert, key = {"missing cert": (tmp_path / "nope.pem", made.key), "folder key": (made.cert, tmp_path),
                 "garbage cert": (garbage, made.key), "mismatched key": (made.cert, other.key)}[fault]
    db = tmp_path / "mock.sqlite3"
    out = serve_fails("--db", str(db), "--tls-cert", str(cert), "--tls-key", str(key), cwd=tmp_path)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --tls-"), out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""
    assert not db.exists() and not Path(f"{db}.tls").exists()


@pytest.mark.parametrize("args, message", [
    (["--tls-cert", "c.pem"], "--tls-cert and --tls-key go together"),
    (["--db", ":memory:", "--tls-port", "1"], "--db :memory: lives inside one process; use a file with --tls-port"),
])
def test_tls_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    out = serve_fails(*args, cwd=tmp_path)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_same_port_for_http_and_https_is_refused(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "sms_rent_mock.mock_server", "serve", "--port", "8444", "--tls-port", "8444",
                          "--db", str(tmp_path / "m.sqlite3")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "--tls-port 8444 is --port already" in out.stderr
    assert not (tmp_path / "m.sqlite3").exists()


def test_ctrl_c_to_the_process_group_stops_both_servers(tmp_path: Path) -> None:
    served = server.start_tls("--db", str(tmp_path / "mock.sqlite3"), log=tmp_path / "serve.log", both=True)
    try:
        os.killpg(served.proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C sends
        code = served.proc.wait(timeout=30)
        stragglers = server.session_members(served.proc.pid)
    finally:
        server.kill(served.proc)
    assert code == 0 and stragglers == []


def test_one_listener_failing_stops_the_other(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        port = server.free_port()
        proc = subprocess.Popen([sys.executable, "-m", "sms_rent_mock.mock_server", "serve", "--db", str(tmp_path / "m.sqlite3"),
                                 "--port", str(port), "--tls-port", str(taken)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=60)
            stragglers = server.session_members(proc.pid)
        finally:
            server.kill(proc)
    assert proc.returncode == 1
    text = err.decode()
    assert f"Error: cannot serve on https://127.0.0.1:{taken}: Address already in use" in text
    assert f"the server on https://127.0.0.1:{taken} stopped" in text
    assert "Traceback" not in text
    assert stragglers == []
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/", timeout=5)


@pytest.mark.parametrize("args, message", [
    (["--tls", "--tls-name", "not a host"], "Error: --tls-name 'not a host' is neither a host name nor an IP address"),
    (["--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-name", "a.example"], "--tls-name is for the made"),
])
def test_bad_tls_name_exits_2_before_the_store(tmp_path: Path, args: list[str], message: str) -> None:
    out = serve_fails("--db", str(tmp_path / "m.sqlite3"), *args, cwd=tmp_path)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "m.sqlite3").exists()
