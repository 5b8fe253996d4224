"""The request journal: each provider request with its parameters (apikey redacted), the outcome the
client saw, the fault rule that shaped it, and how long it took.

It is a ring buffer shared by every worker process: each insert deletes the rows older than the
newest ``JOURNAL_SIZE``, by primary key, so it stays small and cheap. It lives in its own SQLite file
beside the store (``<db>.requests``), so journaling a read never counts as a change of the store
(the providers' read memo keys on the store's data version) and never waits for a rental's write lock.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from typing import Any

from flask import Flask, Response, current_app, g

from .domain import World
from .providers.wire import outcome
from .providers.wire import params as request_params
from .store import Store

log = logging.getLogger("sms_rent_mock")
REDACTED = "***"


def outcome_of(provider: str, response: Response) -> str:
    """``ok``, the provider's error code or message, ``HTTP <status>``, or ``malformed``."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    return outcome(provider, response.get_json(silent=True) if response.is_json else None)


class Journal:
    """The journal's own store: ``<db>.requests`` next to a store file, a private in-memory one otherwise."""

    def __init__(self, db_path: str, size: int) -> None:
        self.size = size
        self.store = None if size <= 0 else Store(":memory:" if db_path == ":memory:" else f"{db_path}.requests")

    def record(self, *, provider: str, method: str, params: dict[str, str], outcome: str, http_status: int,
               fault: int | None, duration_ms: float, at: int) -> None:
        if self.store is None:
            return
        redacted = {k: (REDACTED if k.lower() == "apikey" else v) for k, v in params.items()}
        with self.store.write() as db:
            cur = db.execute("INSERT INTO journal(provider, method, params, outcome, http_status, fault, duration_ms, "
                             "at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (provider, method, json.dumps(redacted, ensure_ascii=False), outcome, http_status,
                              fault, round(duration_ms, 3), at))
            db.execute("DELETE FROM journal WHERE id <= ?", (int(cur.lastrowid or 0) - self.size,))

    def entries(self, *, provider: str | None = None, method: str | None = None,
                limit: int = 100) -> list[dict[str, Any]]:
        """Newest first."""
        if self.store is None:
            return []
        sql, args = "SELECT * FROM journal WHERE 1 = 1", []
        for name, value in (("provider", provider), ("method", method)):
            if value:
                sql += f" AND {name} = ?"
                args.append(value)
        rows = self.store.db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit))
        return [{"id": r["id"], "provider": r["provider"], "method": r["method"], "params": json.loads(r["params"]),
                 "outcome": r["outcome"], "http_status": r["http_status"], "fault": r["fault"],
                 "duration_ms": r["duration_ms"], "at": r["at"]} for r in rows]

    def clear(self) -> int:
        if self.store is None:
            return 0
        with self.store.write() as db:
            return int(db.execute("DELETE FROM journal").rowcount)


def journal(app: Flask | None = None) -> Journal:
    found: Journal = (app or current_app).extensions["mock_journal"]
    return found


def write(http_status: int, outcome: str) -> None:
    """Journal the current provider request once (``http_status`` 0: no answer was sent)."""
    call, book = g.get("mock_call"), journal()
    if call is None or g.get("mock_journaled") or book.size <= 0:
        return
    g.mock_journaled = True
    started = g.get("mock_started", time.perf_counter())
    world: World = current_app.extensions["rental_world"]
    try:
        book.record(provider=call[0], method=call[1], params=request_params(), outcome=outcome,
                    http_status=http_status, fault=g.get("mock_fault"),
                    duration_ms=(time.perf_counter() - started) * 1000, at=world.now())
    except sqlite3.Error:  # the journal never fails a request
        log.exception("could not journal a request")


def after_request(response: Response) -> Response:
    if g.get("mock_call") is not None:
        write(response.status_code, g.get("mock_outcome") or outcome_of(g.mock_call[0], response))
    return response


def teardown(exc: BaseException | None) -> None:
    """A request that raised never reached ``after_request``: journal it here."""
    if exc is not None:
        write(500, g.get("mock_outcome") or "HTTP 500")


def init_app(app: Flask) -> None:
    app.extensions["mock_journal"] = Journal(str(app.config["DB"]), int(app.config["JOURNAL_SIZE"]))
    app.after_request(after_request)
    app.teardown_request(teardown)
