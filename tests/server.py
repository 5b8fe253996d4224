"""``sms-rent-mock serve`` as a real child process (Granian, worker processes), for tests that need it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited early with {proc.returncode}")
        try:
            requests.get(f"{url}/api/rent/tariffsRent.php?apikey=probe&country=7", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


PORT_TRIES = 3  # a free port can be taken by a parallel test (pytest-xdist) before serve binds it


def start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``serve`` with ``args`` on a free port in its own process group; returns (process, base URL)."""
    for attempt in range(PORT_TRIES):
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "sms_rent_mock.mock_server", "serve", "--port", str(port), *args],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                                env={**os.environ, **(env or {})})
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url, proc)
        except RuntimeError:
            kill(proc)
            if attempt + 1 == PORT_TRIES:
                raise
            continue
        except BaseException:
            kill(proc)
            raise
        return proc, url
    raise AssertionError("unreachable")


def kill(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Stop the server: SIGKILL hits the whole process group (server and workers) at once; SIGTERM asks
    the server to shut its workers down, and the group is killed if that takes longer than 15 s."""
    try:
        if sig == signal.SIGKILL:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # no worker outlives its server
    except ProcessLookupError:
        pass


@contextmanager
def serving(*args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    proc, url = start(*args, env=env)
    try:
        yield url
    finally:
        kill(proc, signal.SIGTERM)


# -- HTTPS (serve --tls / --tls-port) ---------------------------------------------------------------------------------

TRUST_LINE = re.compile(r"^TLS: (?:made a new|kept) certificate; clients trust (\S+) \(|^TLS: serving (\S+)$", re.M)


@dataclass
class Served:
    """A running ``serve --tls``: its HTTPS base, the HTTP base when both ports are up, the certificate file
    ``serve`` printed for clients to trust, and its log (stderr)."""

    proc: subprocess.Popen[bytes]
    https: str
    http: str | None
    trust: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_ready_tls(url: str, proc: subprocess.Popen[bytes], trust: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited early with {proc.returncode}")
        try:
            requests.get(f"{url}/api/rent/tariffsRent.php?apikey=probe&country=7", timeout=1, verify=str(trust))
            return
        except requests.ConnectionError:  # SSLError is one too: the listener may be up before the other one
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def printed_trust(log: Path, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> Path:
    """The certificate path ``serve`` printed, read as a user reads it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = TRUST_LINE.search(log.read_text(errors="replace"))
        if found:
            return Path(found.group(1) or found.group(2))
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited with {proc.returncode}: {log.read_text(errors='replace')}")
        time.sleep(0.05)
    raise TimeoutError(f"serve printed no certificate line within {timeout} s")


def start_tls(*args: str, log: Path, both: bool = False, env: dict[str, str] | None = None) -> Served:
    """Start ``serve --tls`` (or, with ``both``, HTTP on one port and ``--tls-port`` on another) on free ports,
    its stderr in ``log``; a port a parallel test took first means another try on new ports."""
    for attempt in range(PORT_TRIES):
        try:
            return _start_tls_once(*args, log=log, both=both, env=env)
        except RuntimeError:
            if attempt + 1 == PORT_TRIES or "Address already in use" not in log.read_text(errors="replace"):
                raise
    raise AssertionError("unreachable")


def _start_tls_once(*args: str, log: Path, both: bool, env: dict[str, str] | None) -> Served:
    port = free_port()
    tls_port = free_port() if both else None
    while tls_port == port:
        tls_port = free_port()
    ports = ["--port", str(port)] + (["--tls-port", str(tls_port)] if both else ["--tls"])
    with open(log, "wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "sms_rent_mock.mock_server", "serve", *ports, *args],
                                stdout=subprocess.DEVNULL, stderr=sink, start_new_session=True,
                                env={**os.environ, **(env or {})})
    try:
        trust = printed_trust(log, proc)
        https = f"https://127.0.0.1:{tls_port or port}"
        wait_ready_tls(https, proc, trust)
        http = f"http://127.0.0.1:{port}" if both else None
        if http:
            wait_ready(http, proc)
    except BaseException:
        kill(proc)
        raise
    return Served(proc, https, http, trust, log)


@contextmanager
def serving_tls(*args: str, log: Path, both: bool = False) -> Iterator[Served]:
    served = start_tls(*args, log=log, both=both)
    try:
        yield served
    finally:
        kill(served.proc, signal.SIGTERM)


def session_members(sid: int) -> list[int]:
    """Processes still alive (zombies aside) in session ``sid`` (``start`` gives each server its own): none
    should outlive a stopped server."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone while we looked
        if int(fields[3]) == sid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive
