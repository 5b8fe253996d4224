"""``MockControl``: a small Python client for the mock's control API, usable from any test suite.

    from sms_rent_mock.mock_server.control import MockControl

    mock = MockControl("http://127.0.0.1:8080")          # or MockControl.in_process(app)
    mock.reset(scenario="with_history", apikey="KEY")
    mock.advance(3600)

One method per route; each returns the decoded JSON reply and raises ``ControlError`` on HTTP 4xx/5xx.
Every call that changes state is sent as ``Content-Type: application/json``, as the mock requires.
It needs only ``requests`` (or a Flask app, in process), never the server's internals.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

__all__ = ["ControlError", "MockControl"]

_UNSET: Any = object()


class ControlError(Exception):
    """The control API refused a call: ``status`` (HTTP), ``error`` (its sentence) and ``field``."""

    def __init__(self, status: int, error: str, field: str | None = None) -> None:
        super().__init__(f"HTTP {status}: {error}" + (f" (field {field})" if field else ""))
        self.status, self.error, self.field = status, error, field


class MockControl:
    """Drives a running mock (``base_url``) or a Flask app in this process (``MockControl.in_process``)."""

    def __init__(self, base_url: str = "http://127.0.0.1:8080", *, token: str | None = None,
                 session: requests.Session | None = None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._session = session or requests.Session()
        self._test_client: Any = None

    @classmethod
    def in_process(cls, app: Any, *, token: str | None = None) -> MockControl:
        """A client over ``app.test_client()``: no server, no socket."""
        client = cls("", token=token)
        client._test_client = app.test_client()
        return client

    # -- transport ------------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if method != "GET":  # the mock refuses a state change without it, even with no body
            headers["Content-Type"] = "application/json"
        data_bytes = None if body is None else json.dumps(body).encode()
        query = {k: v for k, v in (params or {}).items() if v is not None}
        if self._test_client is not None:
            response = self._test_client.open(f"/_mock{path}", method=method, data=data_bytes, query_string=query,
                                              headers=headers)
            status, data = response.status_code, response.get_json(silent=True)
        else:
            reply = self._session.request(method, f"{self.base_url}/_mock{path}", data=data_bytes, params=query,
                                          headers=headers, timeout=self.timeout)
            status = reply.status_code
            try:
                data = reply.json()
            except ValueError:
                data = None
        if status >= 400:
            found = data if isinstance(data, dict) else {}
            raise ControlError(status, str(found.get("error", f"HTTP {status}")), found.get("field"))
        return data

    # -- reset and clock ------------------------------------------------------------------------

    def reset(self, *, seed: int | None = None, scenario: str | None = None, apikey: str | None = None) -> Any:
        """Fresh state; ``scenario`` (fresh, low_balance, no_stock, busy_account, with_history, expiring)
        is played for ``apikey``. Fault rules, the journal and setting overrides are cleared."""
        body = {k: v for k, v in (("seed", seed), ("scenario", scenario), ("apikey", apikey)) if v is not None}
        return self._call("POST", "/reset", body)

    def clock(self) -> Any:
        """``{"now", "mode", "scale"}``."""
        return self._call("GET", "/clock")

    def advance(self, seconds: float) -> Any:
        """Move simulated time forward; whatever fell due (guard windows, expiries, renewals) is settled."""
        return self._call("POST", "/clock", {"advance": seconds})

    def set_time(self, when: int) -> Any:
        """Move the clock to unix time ``when`` (not before now)."""
        return self._call("POST", "/clock", {"set": when})

    def set_clock_mode(self, mode: str, *, scale: float | None = None) -> Any:
        """``real``, ``scaled`` (``scale`` simulated seconds per second) or ``frozen``."""
        return self._call("POST", "/clock", {"mode": mode, **({} if scale is None else {"scale": scale})})

    # -- accounts, stock, catalog, rentals, SMS -------------------------------------------------

    def account(self, apikey: str) -> Any:
        """Balance, limits, ledger (newest first) and rentals of one key."""
        return self._call("GET", f"/accounts/{apikey}")

    def put_account(self, apikey: str, *, balance: float | None = None, max_concurrent: int | None = _UNSET,
                    blocked: bool | None = None, restriction: str | None = _UNSET) -> Any:
        """Create or update an account. ``max_concurrent=None`` restores the server default;
        ``restriction`` is api_disabled, ip_denied, identification_required or None."""
        body: dict[str, Any] = {"balance": balance, "blocked": blocked}
        body = {k: v for k, v in body.items() if v is not None}
        if max_concurrent is not _UNSET:
            body["max_concurrent"] = max_concurrent
        if restriction is not _UNSET:
            body["restriction"] = restriction
        return self._call("PUT", f"/accounts/{apikey}", body)

    def deliver_sms(self, number: str, text: str, *, sender: str | None = None, service: str | None = None,
                    code: str | None = None) -> Any:
        """An SMS to a full number (country code + national number); the reply says where it went or why not."""
        body = {"number": number, "text": text, "sender": sender, "service": service, "code": code}
        return self._call("POST", "/sms", {k: v for k, v in body.items() if v is not None})

    def stock(self, provider: str, country: str | int | None = None) -> Any:
        """Stock rows; ``country`` as the provider names it (OnlineSim: ``7`` or ``"RU"``; SMSPVA: ``"RU"``)."""
        return self._call("GET", "/stock", params={"provider": provider, "country": country})["stock"]

    def set_stock(self, provider: str, country: str | int, count: int, *, service: str | None = None,
                  period: int | None = None, operator: str | None = None) -> Any:
        """Set every matching stock row to ``count`` (omitted fields match any)."""
        body = {"provider": provider, "country": country, "count": count, "service": service, "period": period,
                "operator": operator}
        return self._call("PUT", "/stock", {k: v for k, v in body.items() if v is not None})["stock"]

    def catalog(self) -> Any:
        return self._call("GET", "/catalog")

    def patch_catalog(self, provider: str, *, add: dict[str, Any] | None = None,
                      remove: dict[str, Any] | None = None) -> Any:
        """E.g. ``patch_catalog("smspva", remove={"country": "RU"})`` or ``remove={"service": "opt6"}``."""
        body = {"provider": provider, "add": add, "remove": remove}
        return self._call("PATCH", "/catalog", {k: v for k, v in body.items() if v is not None})

    def rental(self, rental_id: int) -> Any:
        return self._call("GET", f"/rentals/{rental_id}")

    def patch_rental(self, rental_id: int, *, frozen: bool | None = None, gone: bool | None = None) -> Any:
        """Freeze a port, or take the number out of the system (``gone=True``)."""
        body = {k: v for k, v in (("frozen", frozen), ("gone", gone)) if v is not None}
        return self._call("PATCH", f"/rentals/{rental_id}", body)

    # -- settings, faults, journal, state -------------------------------------------------------

    def settings(self) -> Any:
        return self._call("GET", "/settings")

    def patch_settings(self, **values: Any) -> Any:
        """Override settings until the next reset, e.g. ``patch_settings(duplicate_window=60)``."""
        return self._call("PATCH", "/settings", values)

    def add_fault(self, provider: str, method: str = "*", *, match: dict[str, Any] | None = None,
                  times: int | None = None, probability: float | None = None, error: str | None = None,
                  delay_ms: int | None = None, http_status: int | None = None, body: str | None = None,
                  drop: bool = False) -> int:
        """A fault rule; returns its id. E.g. ``add_fault("onlinesim", "getRentNum", error="TRY_AGAIN_LATER", times=2)``."""
        spec = {"provider": provider, "method": method, "match": match, "times": times,
                "probability": probability, "error": error, "delay_ms": delay_ms, "http_status": http_status,
                "body": body, "drop": True if drop else None}
        rule = self._call("POST", "/faults", {k: v for k, v in spec.items() if v is not None})
        return int(rule["id"])

    def faults(self) -> Any:
        return self._call("GET", "/faults")["faults"]

    def clear_faults(self) -> Any:
        return self._call("DELETE", "/faults")

    def delete_fault(self, rule_id: int) -> Any:
        return self._call("DELETE", f"/faults/{rule_id}")

    def journal(self, *, provider: str | None = None, method: str | None = None, limit: int | None = None) -> Any:
        """``GET /_mock/requests``: provider requests, newest first (apikey shown as ``***``)."""
        return self._call("GET", "/requests", params={"provider": provider, "method": method,
                                                      "limit": limit})["requests"]

    def clear_journal(self) -> Any:
        return self._call("DELETE", "/requests")

    def export_state(self) -> Any:
        return self._call("GET", "/state")

    def import_state(self, state: dict[str, Any]) -> Any:
        return self._call("PUT", "/state", state)

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """Export the state now and import it back when the block ends, whatever happened inside."""
        state = self.export_state()
        try:
            yield state
        finally:
            self.import_state(state)
