"""``sms-rent-mock serve`` as a real child process (Granian, worker processes), for tests that need it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

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


def start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``serve`` with ``args`` on a free port in its own process group; returns (process, base URL)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mock_server", "serve", "--port", str(port), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc)
    except BaseException:
        kill(proc)
        raise
    return proc, url


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
