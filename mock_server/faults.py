"""Fault rules, applied before a provider request is dispatched: answer a provider error code, wait,
answer an HTTP error status, send a malformed body, or drop the connection.

Rules live in the store (table ``fault_rules``) so every worker process applies the same ones. Each
process caches them under the ``faults_rev`` revision; a request costs one small query (which also
tells whether the runtime setting overrides changed) and nothing more while no rule exists.
"""

from __future__ import annotations

import json
import math
import os
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from jsonschema.exceptions import best_match

from sms_rent_mock import schemas
from sms_rent_mock.schemas.dialects import DIALECTS

from .domain import Settings, World
from .domain import admin
from .exchange import Exchange, Reply

TERMINAL = ("error", "http_status", "body", "drop")
ERROR_PAGE = "<html><head><title>{code}</title></head><body><h1>{code}</h1><p>nginx</p></body></html>"


class DroppedConnection(ConnectionError):
    """Raised where no socket can be reset (the in-process test client): the caller sees a ConnectionError."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    provider: str
    method: str
    match: dict[str, str]
    remaining: int | None
    probability: float | None
    action: dict[str, Any]
    hits: int
    created_at: int

    def matches(self, provider: str, method: str, params: dict[str, str]) -> bool:
        return (self.provider == provider and self.method in ("*", method)
                and all(params.get(k) == v for k, v in self.match.items()))

    def view(self) -> dict[str, Any]:
        return {"id": self.id, "provider": self.provider, "method": self.method, "match": self.match,
                "times": self.remaining, "probability": self.probability, **self.action, "hits": self.hits,
                "created_at": self.created_at}


def _rule(row: Any) -> Rule:
    return Rule(row["id"], row["provider"], row["method"], json.loads(row["match"]), row["remaining"],
                row["probability"], json.loads(row["action"]), row["hits"], row["created_at"])


# -- the rule book in the store ---------------------------------------------------------------------

def check(spec: Any) -> None:
    """Refuse (ValueError) a rule ``schemas/control/fault.request.json`` refuses; NaN is no probability."""
    error = best_match(schemas.validator("control", "fault.request").iter_errors(spec))
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path)
        raise ValueError(f"{where or 'rule'}: {error.message[:200]}")
    chance = spec.get("probability")
    if chance is not None and not math.isfinite(chance):
        raise ValueError("probability: must be a number from 0 to 1")


def check_row(row: dict[str, Any]) -> None:
    """Refuse (ValueError) a ``fault_rules`` row (from an imported state) that ``add`` could not have stored:
    its match and action are the JSON a ``fault.request`` body gives, with known actions only."""
    try:
        match, action = json.loads(row.get("match", "{}")), json.loads(row["action"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("match and action must be JSON text") from None
    if not (isinstance(action, dict) and isinstance(match, dict) and all(isinstance(v, str) for v in match.values())):
        raise ValueError("action must be a JSON object, match one of texts")
    unknown = sorted(set(action) - {"delay_ms", *TERMINAL})
    if unknown:
        raise ValueError(f"unknown action {unknown[0]!r}; known: delay_ms, {', '.join(TERMINAL)}")
    spec = {"provider": row.get("provider"), "method": row.get("method"), "match": match, **action}
    if row.get("remaining"):  # 0: a spent rule, which a request could not ask for
        spec["times"] = row["remaining"]
    if row.get("probability") is not None:
        spec["probability"] = row["probability"]
    check(spec)


def add(world: World, spec: dict[str, Any]) -> Rule:
    """Store a rule from a validated ``fault.request`` body."""
    check(spec)
    action = {k: spec[k] for k in ("delay_ms", *TERMINAL) if spec.get(k) is not None and spec.get(k) is not False}
    match = {str(k): _text(v) for k, v in (spec.get("match") or {}).items()}
    with world.store.unit_of_work() as tx:
        row = tx.faults.add(provider=spec["provider"], method=spec["method"], match=json.dumps(match),
                            remaining=spec.get("times"), probability=spec.get("probability"),
                            action=json.dumps(action), created_at=world.now())
        tx.meta.bump("faults_rev")
    return _rule(row)


def rules(world: World) -> list[Rule]:
    return [_rule(r) for r in world.store.current().faults.live()]


def delete(world: World, rule_id: int | None = None) -> int:
    """Delete one rule, or all of them; returns how many went."""
    with world.store.unit_of_work() as tx:
        gone = tx.faults.delete(rule_id)
        tx.meta.bump("faults_rev")
    return gone


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- the per-process runtime: revision check, settings sync, rule matching ----------------------------

class Runtime:
    """One per app: the base settings, and the revisions of the rules and overrides this process applied."""

    def __init__(self, world: World, base: Settings, seed: int) -> None:
        self.world, self.base = world, base
        self._lock = threading.Lock()
        self._faults_rev: str | None = None
        self._settings_rev: str | None = None
        self._rules: list[Rule] = []
        self._rng = random.Random(seed)

    def refresh(self) -> list[Rule]:
        """Bring settings and rules up to date with the store; returns the live rules. Both revisions
        are read in one statement on every call: as cheap as asking SQLite whether anything at all was
        written (``PRAGMA data_version``), which under writes from other workers said yes nearly every
        time and cost a second statement."""
        faults_rev, settings_rev = self.world.store.current().meta.revisions()
        if settings_rev != self._settings_rev:
            with self._lock:
                self.world.settings = admin.effective_settings(
                    self.base, self.world.store.current().meta.settings_overrides())
                self._settings_rev = settings_rev
        if faults_rev != self._faults_rev:
            with self._lock:
                self._rules = rules(self.world)
                self._faults_rev = faults_rev
        return self._rules

    def pick(self, provider: str, method: str, params: dict[str, str]) -> list[Rule]:
        """The rules this request triggers (delays first, then at most one terminal rule), using them up."""
        chosen: list[Rule] = []
        for rule in self.refresh():
            if not rule.matches(provider, method, params):
                continue
            if rule.probability is not None and self._rng.random() >= rule.probability:
                continue
            if not self._consume(rule):
                continue
            chosen.append(rule)
            if any(k in rule.action for k in TERMINAL):
                break
        return chosen

    def _consume(self, rule: Rule) -> bool:
        with self.world.store.unit_of_work() as tx:
            left = tx.faults.use(rule.id, counted=rule.remaining is not None)
            if left == 0:
                tx.meta.bump("faults_rev")
        return left != -1


def runtime(app: Flask | None = None) -> Runtime:
    found: Runtime = (app or current_app).extensions["mock_runtime"]
    return found


# -- applying them ----------------------------------------------------------------------------------

def screen(found: Runtime, exchange: Exchange) -> Reply | None:
    """The front's first step for a provider call: the reply the rules it triggers give (waiting out any
    delay first), or None to serve it normally."""
    if not found.refresh():
        return None
    chosen = found.pick(*exchange.call, exchange.params)
    if not chosen:
        return None
    exchange.fault = chosen[-1].id
    for rule in chosen:
        if rule.action.get("delay_ms"):
            time.sleep(rule.action["delay_ms"] / 1000)
    return respond(exchange.call[0], chosen[-1].action)


def respond(provider: str, action: dict[str, Any]) -> Reply | None:
    """The faulty answer a rule's action describes (None: only a delay, serve the request normally)."""
    if "error" in action:
        return Reply(DIALECTS[provider].error_body(action["error"]), outcome=action["error"])
    if "drop" in action:
        return Reply(b"", outcome="dropped", drop=True)
    if "http_status" in action:
        status = int(action["http_status"])
        if "body" in action:
            return Reply(str(action["body"]).encode(), status)
        return Reply(ERROR_PAGE.format(code=status).encode(), status, content_type="text/html; charset=utf-8")
    if "body" in action:
        return Reply(str(action["body"]).encode(), outcome="malformed")
    return None


def refresh_hook() -> None:
    """before_request of the Flask routes: keep this worker's settings and rules current (a control call
    reads the settings the provider calls of every worker apply)."""
    runtime().refresh()


def drop(environ: dict[str, Any]) -> None:
    """Close the client's connection without an answer.

    The development server hands over its socket; under Granian the request's socket is found among
    this process's descriptors (peer address, and the connection that received data last without
    answering yet). Without either, the in-process test client gets ``DroppedConnection``.
    """
    granian = environ.get("SERVER_SOFTWARE") == "Granian"
    own = environ.get("werkzeug.socket")
    conns = [own] if own is not None else _granian_socket(environ) if granian else []
    if not conns:
        raise DroppedConnection("connection dropped by a fault rule")
    for conn in conns:
        try:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if granian:
            conn.close()  # our duplicate of the descriptor; Granian closes its own


def _granian_socket(environ: dict[str, Any]) -> list[socket.socket]:
    """This request's connection among the process's sockets: same peer host and server port, and data
    received more recently than any sent (it waits for its answer). If the kernel's ages (in ticks of
    a few milliseconds) tie, the most recent connections all go: any other among them is an idle
    keep-alive connection, which HTTP clients reopen without noticing."""
    host, port = environ.get("REMOTE_ADDR"), int(environ.get("SERVER_PORT") or 0)
    found: list[tuple[int, int, socket.socket]] = []
    folder = "/proc/self/fd"
    for name in os.listdir(folder) if os.path.isdir(folder) else ():
        try:
            if not os.readlink(f"{folder}/{name}").startswith("socket:"):
                continue
            fd = os.dup(int(name))
        except (OSError, ValueError):
            continue
        try:
            sock = socket.socket(fileno=fd)
        except OSError:
            os.close(fd)
            continue
        try:
            if (sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM
                    and sock.getsockname()[1] == port and sock.getpeername()[0] == host):
                info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
                sent_ago, _, recv_ago = struct.unpack_from("III", info, 44)  # tcpi_last_data_sent, _ack_sent, _data_recv
                found.append((recv_ago, sent_ago, sock))
                continue
        except OSError:
            pass
        sock.close()
    waiting = sorted((f for f in found if f[0] < f[1]), key=lambda f: f[0])
    if waiting:
        chosen = [waiting[0][2]]
    else:
        latest = min((f[0] for f in found), default=None)
        chosen = [f[2] for f in found if f[0] == latest]
    for _, _, sock in found:
        if sock not in chosen:
            sock.close()
    return chosen


def init_app(app: Flask, world: World) -> None:
    app.extensions["mock_runtime"] = Runtime(world, world.settings, int(app.config["SEED"]))
    app.before_request(refresh_hook)
