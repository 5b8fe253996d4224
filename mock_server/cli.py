"""``sms-rent-mock`` command line (click, as Flask ships it)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from .domain.clock import MODES
from .domain.settings import Settings

if TYPE_CHECKING:
    from .tls import CertPair


def _settings_option(values: tuple[str, ...]) -> dict[str, str]:
    known = set(Settings.__dataclass_fields__)
    parsed: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        name = key.strip().lower().replace("-", "_")
        if not sep or name not in known:
            raise click.BadParameter(f"{item!r}: use NAME=VALUE with NAME one of {', '.join(sorted(known))}",
                                     param_hint="--set")
        parsed[name.upper()] = value.strip()
    return parsed


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sms-rent-mock")
def main() -> None:
    """Offline mock of the OnlineSim and SMSPVA number-rental APIs."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--db", default="sms-rent-mock.sqlite3", show_default=True, envvar="MOCK_DB",
              help="SQLite file that keeps all state across restarts; ':memory:' for throwaway state; "
                   "postgresql://user@host/dbname for one mock shared by several hosts (extra 'postgres').")
@click.option("--seed", default=0, show_default=True, type=int, help="Fixes ids, numbers and SMS texts.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes sharing the one store.")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 256),
              help="Threads per worker. More only help requests that wait (delay faults): on busy ones a "
                   "worker's threads take turns on Python's GIL, and throughput falls.")
@click.option("--profile", type=click.Choice(["live", "documented"]), default="live", show_default=True,
              help="live: what published clients parse; documented: the documents' literal shapes.")
@click.option("--clock", "clock_mode", type=click.Choice(MODES), default=None,
              help="Clock mode (default: keep the stored clock; real for a new store).")
@click.option("--time-scale", default=1.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Simulated seconds per real second (implies --clock scaled when not 1).")
@click.option("--strict-keys", is_flag=True, help="Accept only API keys created beforehand.")
@click.option("--validate", is_flag=True, help="Check every response against its schema; log violations.")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Any setting, e.g. --set guard_seconds=60 --set rent_rate_limit=5 (repeatable).")
@click.option("--auto-sms", default=30, show_default=True, type=click.IntRange(min=0), metavar="SECONDS",
              help="A scripted code SMS reaches each rental that many simulated seconds after it can receive; 0 = off.")
@click.option("--no-control", is_flag=True, help="Serve no control API (everything under /_mock/ is 404).")
@click.option("--no-console", is_flag=True, help="Serve no sandbox console page at /.")
@click.option("--control-token", default=None, metavar="TOKEN",
              help="Require 'Authorization: Bearer TOKEN' on the control API.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST",
              help="A Host name the control API also answers besides loopback and --host (repeatable; '*': any).")
@click.option("--journal-size", default=1000, show_default=True, type=click.IntRange(min=0),
              help="Provider requests the journal keeps (newest first); 0 = no journal.")
@click.option("--tls", is_flag=True,
              help="HTTPS on --port; without --tls-cert/--tls-key a local certificate is made and kept in <db>.tls/.")
@click.option("--tls-port", default=None, type=click.IntRange(1, 65535), metavar="PORT",
              help="HTTPS on PORT as well, plain HTTP staying on --port, both over one state (implies --tls).")
@click.option("--tls-cert", default=None, metavar="PEM", help="Your certificate (chain) instead of the made one.")
@click.option("--tls-key", default=None, metavar="PEM", help="The unencrypted private key of --tls-cert.")
@click.option("--tls-name", "tls_names", multiple=True, metavar="HOST",
              help="Another name or IP for the made certificate, e.g. onlinesim.host for a client with a fixed host.")
def serve(host: str, port: int, db: str, seed: int, workers: int, threads: int, profile: str, clock_mode: str | None,
          time_scale: float, strict_keys: bool, validate: bool, overrides: tuple[str, ...], auto_sms: int,
          no_control: bool, no_console: bool, control_token: str | None, allow_hosts: tuple[str, ...],
          journal_size: int, tls: bool, tls_port: int | None, tls_cert: str | None, tls_key: str | None,
          tls_names: tuple[str, ...]) -> None:
    """Serve both providers' rental APIs with a production WSGI server (Granian)."""
    if db == ":memory:" and workers > 1:
        raise click.UsageError("--db :memory: lives inside one process; use a file with --workers > 1")
    if db == ":memory:" and tls_port is not None:
        raise click.UsageError("--db :memory: lives inside one process; use a file with --tls-port")
    if tls_port is not None and tls_port == port:
        raise click.UsageError(f"--tls-port {tls_port} is --port already; give HTTP and HTTPS two ports")
    if (tls_cert is None) != (tls_key is None):
        raise click.UsageError("--tls-cert and --tls-key go together")
    if tls_cert and tls_names:
        raise click.UsageError("--tls-name is for the made certificate; your --tls-cert carries its own names")
    if time_scale != 1.0 and clock_mode is None:
        clock_mode = "scaled"
    env: dict[str, Any] = {"DB": db, "SEED": seed, "PROFILE": profile, "TIME_SCALE": time_scale,
                           "STRICT_KEYS": strict_keys, "VALIDATE": validate, "AUTO_SMS": auto_sms,
                           "CONTROL": not no_control, "CONSOLE": not no_console,
                           "JOURNAL_SIZE": journal_size, **_settings_option(overrides)}
    if control_token:
        env["CONTROL_TOKEN"] = control_token
    served = () if host in ("", "0.0.0.0", "::") else (host,)  # a wildcard address names no host
    if allow_hosts or served:
        env["ALLOWED_HOSTS"] = ",".join((*served, *allow_hosts))
    if clock_mode:
        env["CLOCK"] = clock_mode
    user_pair = _user_pair(tls_cert, tls_key) if tls_cert and tls_key else None  # before the store is touched
    names = _names(tls_names)
    for key, value in env.items():
        os.environ[f"MOCK_{key}"] = _env_text(value)
    from .config import DEFAULTS, build_world
    from .integrity import verify
    from .storage import StoreError

    try:  # initialise the store once, and fail here on bad settings rather than in a worker;
        # without importing Flask, so this parent process of the workers stays small
        verify(db)
        build_world({**DEFAULTS, **env}).store.close()
    except StoreError as exc:  # one line: what is wrong with which path, and what to do
        click.echo(f"Error: --db {exc}", err=True)
        sys.exit(2)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if not (tls or tls_port or tls_cert or tls_names):
        run_server([Listener(host, port)], workers=workers, threads=threads)
        return
    with _certificate(db, user_pair, names) as pair:
        listeners = [Listener(host, port)] if tls_port else []
        listeners.append(Listener(host, tls_port or port, pair))
        run_server(listeners, workers=workers, threads=threads)


@main.command()
@click.option("--target", default="mock", show_default=True, help="'mock' (in-process) or a base URL.")
@click.option("--provider", type=click.Choice(["onlinesim", "smspva", "all"]), default="all", show_default=True)
@click.option("--api-key", default="", envvar="CONTRACT_API_KEY", help="Key for a real provider (never printed).")
@click.option("--examples", default=25, show_default=True, type=click.IntRange(1), help="State-machine examples.")
@click.option("--steps", default=30, show_default=True, type=click.IntRange(1), help="Steps per example.")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seeds the mock and the kit's own generation: the same seed makes the same run.")
@click.option("--profile", type=click.Choice(["live", "documented"]), default="live", show_default=True)
@click.option("--max-seconds", default=120.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="The whole run ends by then; past it the check fails (exit 1) with what it saw.")
@click.option("--shrink-seconds", default=20.0, show_default=True, type=click.FloatRange(min=0),
              help="Most time spent shrinking a failure; then the first failure found is reported as is.")
@click.option("--hypothesis-db", default=None, type=click.Path(file_okay=False),
              help="Keep Hypothesis examples in this directory (default: in memory, nothing written).")
@click.option("--allow-spend", is_flag=True, help="Allow paid operations on a real account (needs --budget).")
@click.option("--budget", default=None, help="Most money the kit may spend.")
@click.option("--junit-xml", default=None, type=click.Path(dir_okay=False))
@click.option("--json", "json_path", default=None, type=click.Path(dir_okay=False))
def check(target: str, provider: str, api_key: str, examples: int, steps: int, seed: int, profile: str,
          max_seconds: float, shrink_seconds: float, hypothesis_db: str | None, allow_spend: bool,
          budget: str | None, junit_xml: str | None, json_path: str | None) -> None:
    """Check a target against the schemas and a stateful model. Exit 0 conforms, 1 violation, 2 usage/connection.

    On a terminal, progress per machine goes to stderr (not with --json)."""
    from sms_rent_mock.contract_tests.runner import run_check

    sys.exit(run_check(target=target, provider=provider, api_key=api_key, examples=examples, steps=steps,
                       seed=seed, profile=profile, allow_spend=allow_spend, budget=budget, junit_xml=junit_xml,
                       json_path=json_path, max_seconds=max_seconds, shrink_seconds=shrink_seconds,
                       hypothesis_db=hypothesis_db, progress=True))


@main.command()
@click.option("--provider", type=click.Choice(["onlinesim", "smspva", "all"]), default="all", show_default=True)
@click.option("--profile", type=click.Choice(["live", "documented"]), default="live", show_default=True)
def openapi(provider: str, profile: str) -> None:
    """Print the OpenAPI 3.1 document generated from the JSON Schemas."""
    import json

    from sms_rent_mock.schemas.openapi import document

    chosen = ("onlinesim", "smspva") if provider == "all" else (provider,)
    click.echo(json.dumps(document(chosen, profile), indent=2, ensure_ascii=False))


def _env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, (int, float)) else f'"{value}"' if _looks_json(str(value)) else str(value)


def _looks_json(text: str) -> bool:
    """Flask parses MOCK_* values as JSON; quote strings that would otherwise parse as numbers."""
    try:
        import json

        json.loads(text)
    except ValueError:
        return False
    return True


class TLSUsageError(click.ClickException):
    """A certificate problem: one ``Error: ...`` line and exit 2, like a usage error but without the usage."""

    exit_code = 2


@dataclass(frozen=True)
class Listener:
    """One address Granian serves; ``pair`` set means HTTPS."""

    host: str
    port: int
    pair: CertPair | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.pair else 'http'}://{host}:{self.port}"


def _user_pair(cert: str, key: str) -> CertPair:
    from . import tls

    try:
        return tls.user_pair(cert, key)
    except tls.TLSError as exc:
        raise TLSUsageError(str(exc)) from None


def _names(values: tuple[str, ...]) -> tuple[str, ...]:
    if not values:  # plain HTTP never loads tls.py: cryptography costs the server ~50 ms and ~6 MB
        return ()
    from . import tls

    try:
        return tls.extra_names(values)
    except tls.TLSError as exc:
        raise TLSUsageError(str(exc)) from None


@contextmanager
def _certificate(db: str, user_pair: CertPair | None, names: tuple[str, ...]) -> Iterator[CertPair]:
    """The user's checked pair, or the kept local one (a temporary one for ``:memory:``, removed on exit)."""
    from . import tls

    if user_pair is not None:
        yield user_pair
        return
    directory = tls.store_dir(db)
    try:
        try:
            pair = tls.local_pair(directory, names)
        except tls.TLSError as exc:
            raise TLSUsageError(str(exc)) from None
        yield pair
    finally:
        if db == ":memory:":
            shutil.rmtree(directory, ignore_errors=True)


def run_server(listeners: list[Listener], *, workers: int, threads: int) -> None:
    """Serve each listener with its own Granian server; two run as two child processes that stop together."""
    urls = " and ".join(listener.url for listener in listeners)
    each = " each" if len(listeners) > 1 else ""
    click.echo(f"sms-rent-mock serving on {urls} ({workers} worker(s){each})", err=True)
    for pair in {listener.pair for listener in listeners if listener.pair}:
        if pair.trust != pair.cert:
            click.echo(f"TLS: {'made a new' if pair.made else 'kept'} certificate; clients trust {pair.trust} "
                       f"(curl --cacert, requests verify=, SSL_CERT_FILE)", err=True)
        else:
            click.echo(f"TLS: serving {pair.cert}", err=True)
    sys.stderr.flush()
    if len(listeners) == 1:
        _granian(listeners[0], workers, threads)
        return
    sys.exit(_serve_together(listeners, workers, threads))


def _granian(listener: Listener, workers: int, threads: int) -> None:
    from granian.constants import Interfaces, SSLProtocols
    from granian.server import Server

    pair = listener.pair
    tls: dict[str, Any] = {} if pair is None else {
        "ssl_cert": pair.cert, "ssl_key": pair.key,
        "ssl_protocol_min": SSLProtocols.tls12}  # older PHP/Ruby builds stop at TLS 1.2
    server = Server("sms_rent_mock.mock_server.app:create_app", address=listener.host, port=listener.port,
                    interface=Interfaces.WSGI, workers=workers, blocking_threads=threads, factory=True,
                    log_access=False, workers_kill_timeout=5, **tls)
    _before_fork()
    try:
        server.serve()
    except RuntimeError as exc:  # Granian's Rust side, e.g. "Address already in use (os error 98)"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise click.ClickException(f"cannot serve on {listener.url}: {first}") from None


def _before_fork() -> None:
    """Granian forks its workers from this process: load the app's modules here once, so the workers
    start at once and share those pages, and freeze them out of the garbage collector, whose passes
    would otherwise write to (and so copy) every inherited page in every worker."""
    import gc
    import importlib

    _cap_malloc_arenas()
    importlib.import_module("sms_rent_mock.mock_server.app")
    gc.freeze()  # no gc.collect() first: it costs start-up ~20 ms and the workers no memory (measured)


M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


def _cap_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each thread that allocates its own malloc arena, and a worker's ``--threads`` plus
    Granian's runtime threads each leave one partly used: a few MB per worker. Two arenas per process,
    as ``MALLOC_ARENA_MAX=2`` would (which wins when set); the workers inherit it through fork."""
    if "MALLOC_ARENA_MAX" in os.environ or not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, arenas)
    except AttributeError:  # a libc without mallopt
        pass


def _serve_together(listeners: list[Listener], workers: int, threads: int) -> int:
    """One child process per listener over the one store; a signal to this parent stops all, and so does
    any child ending (a port in use, a crash), so the pair is never half up. Returns the exit code."""
    import multiprocessing
    import multiprocessing.connection
    import signal

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    children = [context.Process(target=_granian_child, args=(listener, workers, threads), name=listener.url)
                for listener in listeners]
    stopping: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        stopping.append(signum)
        for child in children:
            if child.pid is not None and child.exitcode is None:
                os.kill(child.pid, signal.SIGTERM)  # Granian's own graceful shutdown of its workers

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for child in children:
            child.start()
        if stopping:  # a signal came while they were starting, before every pid was known
            stop(stopping[0], None)
        multiprocessing.connection.wait([child.sentinel for child in children])
        stop(0, None)
        for child in children:
            child.join(timeout=15)
            if child.exitcode is None:
                child.kill()
                child.join()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stopping[0]:  # a signal asked for it
        return 0
    for child in children:
        if child.exitcode:
            click.echo(f"sms-rent-mock: the server on {child.name} stopped (exit code {child.exitcode}); "
                       f"stopped the other one too", err=True)
    return 1


def _granian_child(listener: Listener, workers: int, threads: int) -> None:
    """A forked child must not run the parent's signal handler before Granian installs its own."""
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    try:
        _granian(listener, workers, threads)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
