"""The psycopg adapter: qmark SQL, rows like sqlite3.Row, whole sums as int, sqlite3's error classes, and
hostile text (NUL) that PostgreSQL cannot store never failing a request."""

from __future__ import annotations

import sqlite3

import pytest

from sms_rent_mock.mock_server.storage.pg_adapter import NUL_STANDIN, translate
from sms_rent_mock.mock_server.storage.postgres import PgStore

from .backends import Database
from .conftest import make_app


def test_qmark_placeholders_become_format_ones_and_a_percent_stays_literal() -> None:
    assert translate("SELECT ? WHERE name LIKE 'a%' AND id = ?") == "SELECT %s WHERE name LIKE 'a%%' AND id = %s"


def test_rows_read_by_index_by_name_and_as_a_dict(pg_database: Database) -> None:
    store = PgStore(pg_database.fresh_url())
    try:
        db = store.db
        row = db.execute("SELECT ? AS a, SUM(x) AS total FROM (VALUES (2), (3)) v(x)", (1,)).fetchone()
        assert (row[0], row["a"], dict(row), tuple(row)) == (1, 1, {"a": 1, "total": 5}, (1, 5))
        assert type(row["total"]) is int  # SUM of BIGINT is numeric on PostgreSQL, an int on SQLite
        assert db.execute("UPDATE meta SET value = 'x' WHERE key = 'none'").rowcount == 0
        assert db.execute("INSERT INTO sms(rental_id, sender, service, text, code, at) VALUES (1, '', '', '', '', 0)",
                          lastrowid=True).lastrowid == 1
        with pytest.raises(sqlite3.IntegrityError, match="duplicate key"):
            db.execute("INSERT INTO meta(key, value) VALUES ('k', '1'), ('k', '2')")
        db.execute("INSERT INTO meta(key, value) VALUES (?, ?)", ("nul\x00key", True))
        assert tuple(db.execute("SELECT key, value FROM meta").fetchone()) == (f"nul{NUL_STANDIN}key", "1")
    finally:
        store.close()


def test_a_nul_in_any_parameter_is_answered_not_a_500(backend: str) -> None:
    """On both backends (``backend`` runs it on each)."""
    client = make_app().test_client()
    for path in ("/api/getBalance.php", "/api/rent/getRentNum.php", "/api/rent.php"):
        reply = client.get(path, query_string={"apikey": "k\x00ey", "country": "7\x00", "method": "get\x00balance",
                                              "days": "1"})
        assert reply.status_code == 200, (path, reply.get_data(as_text=True))
    assert client.get("/_mock/requests").status_code == 200

