"""``sms-rent-mock`` command line (click, as Flask ships it)."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from .domain.clock import MODES
from .domain.settings import Settings


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
@click.option("--db", default="sms-rent-mock.sqlite3", show_default=True,
              help="SQLite file that keeps all state across restarts; ':memory:' for throwaway state.")
@click.option("--seed", default=0, show_default=True, type=int, help="Fixes ids, numbers and SMS texts.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes sharing the one store.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="Threads per worker.")
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
@click.option("--journal-size", default=1000, show_default=True, type=click.IntRange(min=0),
              help="Provider requests the journal keeps (newest first); 0 = no journal.")
def serve(host: str, port: int, db: str, seed: int, workers: int, threads: int, profile: str, clock_mode: str | None,
          time_scale: float, strict_keys: bool, validate: bool, overrides: tuple[str, ...], auto_sms: int,
          no_control: bool, no_console: bool, control_token: str | None, journal_size: int) -> None:
    """Serve both providers' rental APIs with a production WSGI server (Granian)."""
    if db == ":memory:" and workers > 1:
        raise click.UsageError("--db :memory: lives inside one process; use a file with --workers > 1")
    if time_scale != 1.0 and clock_mode is None:
        clock_mode = "scaled"
    env: dict[str, Any] = {"DB": db, "SEED": seed, "PROFILE": profile, "TIME_SCALE": time_scale,
                           "STRICT_KEYS": strict_keys, "VALIDATE": validate, "AUTO_SMS": auto_sms,
                           "CONTROL": not no_control, "CONSOLE": not no_console,
                           "JOURNAL_SIZE": journal_size, **_settings_option(overrides)}
    if control_token:
        env["CONTROL_TOKEN"] = control_token
    if clock_mode:
        env["CLOCK"] = clock_mode
    for key, value in env.items():
        os.environ[f"MOCK_{key}"] = _env_text(value)
    from .config import DEFAULTS, build_world

    try:  # initialise the store once, and fail here on bad settings rather than in a worker;
        # without importing Flask, so this parent process of the workers stays small
        build_world({**DEFAULTS, **env}).store.close()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    run_server(host, port, workers=workers, threads=threads)


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
    from contract_tests.runner import run_check

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

    from schemas.openapi import document

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


def run_server(host: str, port: int, *, workers: int, threads: int) -> None:
    from granian.constants import Interfaces
    from granian.server import Server

    click.echo(f"sms-rent-mock serving on http://{host}:{port} ({workers} worker(s))", err=True)
    sys.stderr.flush()
    Server("mock_server.app:create_app", address=host, port=port, interface=Interfaces.WSGI, workers=workers,
           blocking_threads=threads, factory=True, log_access=False, workers_kill_timeout=5).serve()


if __name__ == "__main__":  # pragma: no cover
    main()
