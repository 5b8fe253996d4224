"""An unusable ``--db`` and a store holding values no call may write: one clear line naming the file
and the way out (start-up: exit 2, no traceback), a JSON error per request, never an HTML 500."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from sms_rent_mock.mock_server.cli import main
from sms_rent_mock.mock_server.domain import World
from sms_rent_mock.mock_server.integrity import problem
from sms_rent_mock.mock_server.config import new_world
from sms_rent_mock.mock_server.storage import Store

from .conftest import make_app


def serve(monkeypatch: pytest.MonkeyPatch, db: str) -> tuple[int, list[str]]:
    """Run ``serve --db db`` in-process (it must stop before serving); its exit code and output lines."""
    monkeypatch.setattr(os, "environ", dict(os.environ))  # serve exports MOCK_*: keep them out of later tests
    monkeypatch.setattr("sms_rent_mock.mock_server.cli.run_server", lambda *a, **k: pytest.fail("serve went on to serve"))
    result = CliRunner().invoke(main, ["serve", "--db", db])
    return result.exit_code, [line for line in result.output.splitlines() if line.strip()]


def fresh(path: Path) -> Path:
    new_world(Store(str(path))).store.close()
    return path


def edit(path: Path, sql: str, *args: object) -> None:
    store = Store(str(path))
    store.db.execute(sql, args)
    store.close()


def _garbage(tmp: Path) -> str:
    (tmp / "garbage.sqlite3").write_bytes(bytes(range(256)) * 64)
    return str(tmp / "garbage.sqlite3")


def _text(tmp: Path) -> str:
    (tmp / "notes.txt").write_text("these are my notes, not a database\n" * 50)
    return str(tmp / "notes.txt")


def _missing_dir(tmp: Path) -> str:
    return str(tmp / "no" / "such" / "dir" / "mock.sqlite3")


def _directory(tmp: Path) -> str:
    return str(tmp)


def _read_only(tmp: Path) -> str:
    path = fresh(tmp / "ro.sqlite3")
    path.chmod(0o444)
    return str(path)


@pytest.mark.parametrize(("make", "words"), [
    (_garbage, "not an SQLite database"), (_text, "not an SQLite database"), (_missing_dir, "does not exist"),
    (_directory, "is a directory"), (_read_only, "is read-only"),
])
def test_an_unusable_db_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              make: Callable[[Path], str], words: str) -> None:
    db = make(tmp_path)
    code, lines = serve(monkeypatch, db)
    assert code == 2
    assert len(lines) == 1, lines
    assert db in lines[0] and words in lines[0] and "--db" in lines[0]
    assert "Traceback" not in lines[0]


def _nan_clock(path: Path) -> None:
    edit(path, "UPDATE meta SET value = ? WHERE key = 'clock'",
         json.dumps({"mode": "scaled", "anchor_sim": float("nan"), "anchor_real": 1.0, "scale": 1.0}))


def _huge_clock(path: Path) -> None:
    edit(path, "UPDATE meta SET value = ? WHERE key = 'clock'",
         json.dumps({"mode": "frozen", "anchor_sim": 1e300, "anchor_real": 1.0, "scale": 0.0}))


def _unknown_fault_action(path: Path) -> None:
    edit(path, "INSERT INTO fault_rules(provider, method, action, created_at) VALUES ('onlinesim', '*', ?, 0)",
         json.dumps({"nope": 1}))


def _settings_out_of_range(path: Path) -> None:
    edit(path, "INSERT OR REPLACE INTO meta(key, value) VALUES ('settings', ?)", json.dumps({"guard_seconds": 1e23}))


def _balance_out_of_range(path: Path) -> None:
    edit(path, "INSERT OR REPLACE INTO meta(key, value) VALUES ('settings', ?)", json.dumps({"start_balance": "1e300"}))


def _unknown_setting(path: Path) -> None:
    edit(path, "INSERT OR REPLACE INTO meta(key, value) VALUES ('settings', ?)", json.dumps({"warp": 1}))


def _text_in_a_number(path: Path) -> None:
    edit(path, "INSERT INTO accounts(apikey, balance, created_at) VALUES ('k', 'lots', 0)")


DAMAGE = [(_nan_clock, "clock"), (_huge_clock, "clock"), (_unknown_fault_action, "fault rule"),
          (_settings_out_of_range, "guard_seconds"), (_unknown_setting, "warp"), (_text_in_a_number, "accounts.balance"),
          (_balance_out_of_range, "start_balance")]


@pytest.mark.parametrize(("damage", "words"), DAMAGE)
def test_a_value_no_call_may_write_stops_serve_with_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                            damage: Callable[[Path], None], words: str) -> None:
    db = fresh(tmp_path / "mock.sqlite3")
    damage(db)
    code, lines = serve(monkeypatch, str(db))
    assert code == 2 and len(lines) == 1, lines
    assert str(db) in lines[0] and words in lines[0] and "move it away" in lines[0]


def test_a_sound_store_has_no_problem(tmp_path: Path) -> None:
    store = Store(str(fresh(tmp_path / "ok.sqlite3")))
    assert problem(store) is None
    store.close()


@pytest.mark.parametrize(("damage", "words"), [DAMAGE[0], DAMAGE[1], DAMAGE[5]])
def test_damage_while_serving_is_a_json_503_logged_once(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                       damage: Callable[[Path], None], words: str) -> None:
    db = fresh(tmp_path / "mock.sqlite3")
    # as served: an exception is answered, not propagated to the test (TESTING would propagate it)
    app = make_app(DB=str(db), CLOCK=None, VALIDATE=False, PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    assert client.get("/api/getBalance.php?apikey=first").status_code == 200
    damage(db)
    caplog.set_level(logging.ERROR, logger="sms_rent_mock")
    answers = [client.get(path) for path in ("/api/rent/getRentNum.php?apikey=k&country=7&days=1",
                                             "/api/rent.php?method=create&apikey=k&dtype=week&dcount=1&country=RU"
                                             "&service=opt6", "/api/getBalance.php?apikey=k",
                                             "/api/getBalance.php?apikey=k")]
    assert all(a.is_json and a.status_code in (200, 503) for a in answers)
    failed = [a for a in answers if a.status_code == 503]
    assert failed, "the damage was not noticed"
    for answer in failed:
        assert answer.json in ({"response": "TRY_AGAIN_LATER"}, {"status": 0, "msg": "Try again later"})
    logged = [r.getMessage() for r in caplog.records if str(db) in r.getMessage()]
    assert len(logged) == 1 and words in logged[0]
    app.extensions["rental_world"].store.close()
