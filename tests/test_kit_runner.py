"""``check`` (``sms_rent_mock.contract_tests.runner``): it passes a mock served with every default, leaves that mock's
settings as it found them, reproduces a run from its seed, writes nothing into the working directory,
and always ends (a deadline for the run, shrinking bounded by time) even against servers that once
made it hang."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from sms_rent_mock.contract_tests.runner import run_check
from sms_rent_mock.mock_server.domain import archive, errors, guards, world
from sms_rent_mock.mock_server.providers import smspva
from tests.server import serving
from tests.test_kit_mutants import replies_as_text_html

Patch = Callable[[pytest.MonkeyPatch], None]


def report(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {"failures": [], "endpoints": []}


@pytest.mark.parametrize("profile", ["live", "documented"])
def test_check_passes_a_mock_served_with_every_default_and_puts_its_settings_back(
        tmp_path: Path, profile: str) -> None:
    """`serve` as the README starts it (auto-SMS every 30 s, real clock), then `check --target`: a short run
    (8 examples a machine; the in-process tests walk the rules at length), enough to meet the defaults."""
    with serving("--db", str(tmp_path / "mock.sqlite3"), "--profile", profile) as url:
        before = requests.get(f"{url}/_mock/settings", timeout=10).json()["settings"]
        clock = requests.get(f"{url}/_mock/clock", timeout=10).json()["mode"]
        out = tmp_path / "report.json"
        code = run_check(target=url, provider="all", profile=profile, examples=8, json_path=str(out),
                         max_seconds=1800)
        after = requests.get(f"{url}/_mock/settings", timeout=10).json()["settings"]
        assert (code, report(out)["failures"]) == (0, [])
        assert before["auto_sms"] == 30 and after == before
        assert requests.get(f"{url}/_mock/clock", timeout=10).json()["mode"] == clock


def calls_made(tmp_path: Path, name: str, seed: int) -> dict[str, int]:
    out = tmp_path / f"{name}.json"
    assert run_check(target="mock", provider="smspva", examples=4, steps=15, seed=seed, json_path=str(out),
                     max_seconds=1800) == 0
    return {row["endpoint"]: row["calls"] for row in report(out)["endpoints"]}


def test_the_same_seed_makes_the_same_run(tmp_path: Path) -> None:
    assert calls_made(tmp_path, "a", 3) == calls_made(tmp_path, "b", 3)


def test_nothing_is_written_to_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_check(target="mock", provider="onlinesim", examples=3, steps=10, max_seconds=1800) == 0
    assert list(tmp_path.iterdir()) == []


# -- broken servers that once made check run past 300 s -----------------------------------------------

def wrap(mp: pytest.MonkeyPatch, owner: Any, name: str, around: Callable[..., Any]) -> None:
    original = getattr(owner, name)
    mp.setattr(owner, name, lambda *a, **k: around(original, *a, **k))


def prolong_refused_a_day_early(mp: pytest.MonkeyPatch) -> None:
    def check(orig: Any, action: Any, rental: Any, facts: Any) -> Any:
        if action is guards.Action.PROLONG and facts.days and rental is not None:
            orig(guards.Action.EXTEND, rental, facts)  # the checks that come before the window
            if rental.expires_at - facts.now < 86_400:
                raise errors.ProlongNotAllowed()
        return orig(action, rental, facts)
    wrap(mp, guards, "check", check)


def no_avail_days_reported_as_no_balance(mp: pytest.MonkeyPatch) -> None:
    mp.setitem(smspva.RESTORE_CODES, errors.NumberUnavailable, "NOBALANCE: Today need 0.00 USD")


def outdays_floored(mp: pytest.MonkeyPatch) -> None:
    def floored(orig: Any, db: Any, settings: Any, apikey: str, rental_id: int, provider: str, now: int,
                offers_of: Any) -> Any:
        found = orig(db, settings, apikey, rental_id, provider, now, offers_of)
        overdue = max(1, (now - found.rental.expires_at) // 86_400)
        price = sum((o.full_price(overdue + found.prepaid_days) for o in offers_of(found.rental)), Decimal(0))
        return dataclasses.replace(found, overdue_days=overdue, price=price)
    wrap(mp, archive, "quote", floored)


def concurrent_limit_one_early(mp: pytest.MonkeyPatch) -> None:
    def renting(orig: Any, self: Any, apikey: str, req: Any) -> Any:
        account = self.account(apikey)
        limit = self.settings.max_concurrent if account.max_concurrent is None else account.max_concurrent
        if len(self.open_rentals(account.apikey, req.provider)) >= limit - 1:
            raise errors.TooManyRentals()
        return orig(self, apikey, req)
    wrap(mp, world.World, "renting", renting)  # World.rent rents through it too


ONCE_HANGING: list[tuple[str, Patch, str, str | tuple[str, ...]]] = [
    ("prolong refused a day early", prolong_refused_a_day_early, "smspva", "prolong"),
    ("NOAVAILDAYS answered as NOBALANCE", no_avail_days_reported_as_no_balance, "smspva", "error-code:restore_user"),
    ("outdays floored", outdays_floored, "smspva", ("restore", "money:")),
    ("EXCEEDED_CONCURRENT_OPERATIONS one rental early", concurrent_limit_one_early, "onlinesim",
     "error-code:getRentNum"),
]


@pytest.mark.parametrize(("name", "patch", "provider", "rule"), ONCE_HANGING, ids=[m[0] for m in ONCE_HANGING])
def test_a_failing_run_ends_with_the_failure_when_shrinking_is_bounded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, patch: Patch, provider: str,
        rule: str | tuple[str, ...]) -> None:
    """Default Hypothesis settings (shrinking on): the run still ends, naming the rule."""
    patch(monkeypatch)
    out = tmp_path / "report.json"
    code = run_check(target="mock", provider=provider, json_path=str(out), shrink_seconds=3, max_seconds=1800)
    rules = [f["rule"] for f in report(out)["failures"]]
    assert code == 1 and any(r.startswith(rule) for r in rules), (name, rules)


def test_the_deadline_ends_the_run_and_says_what_it_saw(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    code = run_check(target="mock", provider="smspva", examples=1000, steps=50, max_seconds=2, json_path=str(out))
    # whichever test the limit falls in says what the run had done (the state machine may have stopped
    # before it with FlakyStrategyDefinition: a known kit issue, README "Known issues")
    deadline = [f for f in report(out)["failures"] if f["rule"] == "deadline:max-seconds"]
    assert code == 1 and deadline
    assert "examples" in deadline[0]["detail"] and "calls" in deadline[0]["detail"]


def test_the_hypothesis_database_is_kept_only_where_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a database generation is not seeded (README: a database and a seed exclude each other), so
    the broken mock is one every example meets at its first call (a rarer fault was missed in 1 run of 4)."""
    replies_as_text_html(monkeypatch)
    db = tmp_path / "examples"
    assert run_check(target="mock", provider="smspva", hypothesis_db=str(db), shrink_seconds=0) == 1
    assert db.is_dir() and any(db.rglob("*"))
