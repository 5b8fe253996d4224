"""The tables, as portable DDL: ``SCHEMA`` is SQLite's, ``PG_SCHEMA`` is derived from it (``postgres``).

``migrate`` adds columns that newer code expects to a store created by an older version, on either
backend (``CREATE TABLE IF NOT EXISTS`` leaves existing tables as they are).
"""

from __future__ import annotations

import re
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    apikey TEXT PRIMARY KEY,
    balance INTEGER NOT NULL DEFAULT 0,       -- cache of SUM(ledger.amount), kept in the same transaction
    max_concurrent INTEGER,                   -- NULL: the server-wide default
    blocked INTEGER NOT NULL DEFAULT 0,
    restriction TEXT,                         -- api_disabled | ip_denied | identification_required
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger (
    id INTEGER PRIMARY KEY,
    apikey TEXT NOT NULL,
    amount INTEGER NOT NULL,                  -- money units (1/10000), negative for charges
    kind TEXT NOT NULL,                       -- deposit | charge | refund | adjust
    rental_id INTEGER,
    memo TEXT NOT NULL DEFAULT '',
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_by_account ON ledger(apikey);
CREATE INDEX IF NOT EXISTS ledger_by_rental ON ledger(rental_id);
CREATE TABLE IF NOT EXISTS stock (
    provider TEXT NOT NULL, country TEXT NOT NULL, service TEXT NOT NULL,
    period INTEGER NOT NULL, operator TEXT NOT NULL, count INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (provider, country, service, period, operator)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rentals (
    id INTEGER PRIMARY KEY,
    apikey TEXT NOT NULL,
    provider TEXT NOT NULL,
    country TEXT NOT NULL,                    -- ISO letters
    dial TEXT NOT NULL,                       -- E.164 calling code
    phone TEXT NOT NULL,                      -- national number
    services TEXT NOT NULL DEFAULT '',        -- comma-separated service codes
    operator TEXT NOT NULL DEFAULT '',
    period INTEGER NOT NULL DEFAULT 0,        -- the stock period it was taken from
    days INTEGER NOT NULL,                    -- total days bought so far
    auto_renew INTEGER NOT NULL DEFAULT 0,
    needs_activation INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    guard_until INTEGER,                      -- closes and refunds itself if no SMS arrived by then
    online_from INTEGER,
    online_until INTEGER,
    reload_at INTEGER,
    frozen INTEGER NOT NULL DEFAULT 0,
    gone INTEGER NOT NULL DEFAULT 0,
    last_read_sms INTEGER NOT NULL DEFAULT 0,
    closed_at INTEGER,
    close_reason TEXT,
    due_at INTEGER,                           -- next time a derived event must be settled
    last_online INTEGER                       -- SMSPVA: end of the online window before the current one
);
CREATE UNIQUE INDEX IF NOT EXISTS rentals_open_number ON rentals(dial, phone) WHERE closed_at IS NULL;
CREATE INDEX IF NOT EXISTS rentals_due ON rentals(due_at) WHERE closed_at IS NULL;
-- a key's rentals: its open ones (count, list per provider) without the closed ones that pile up, its archive
CREATE INDEX IF NOT EXISTS rentals_by_key ON rentals(apikey, closed_at, provider);
CREATE TABLE IF NOT EXISTS sms (
    id INTEGER PRIMARY KEY,
    rental_id INTEGER NOT NULL,
    sender TEXT NOT NULL,
    service TEXT NOT NULL,
    text TEXT NOT NULL,
    code TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sms_by_rental ON sms(rental_id, at);
CREATE TABLE IF NOT EXISTS retired_numbers (dial TEXT NOT NULL, phone TEXT NOT NULL, PRIMARY KEY (dial, phone));
CREATE TABLE IF NOT EXISTS throttle (
    apikey TEXT NOT NULL, op TEXT NOT NULL, fingerprint TEXT NOT NULL, at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS throttle_by_key ON throttle(apikey, op, at);
CREATE TABLE IF NOT EXISTS fault_rules (     -- control API: shared by every worker (mock_server/faults.py)
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    method TEXT NOT NULL,                     -- '*' matches every method
    match TEXT NOT NULL DEFAULT '{}',         -- JSON {param: value}
    remaining INTEGER,                        -- uses left; NULL: every time
    probability REAL,                         -- NULL: always
    action TEXT NOT NULL,                     -- JSON {"error" | "delay_ms" | "http_status" | "body" | "drop": ...}
    hits INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (         -- request journal (in its own file, <db>.requests; journal.py)
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    method TEXT NOT NULL,
    params TEXT NOT NULL,                     -- JSON, apikey redacted
    outcome TEXT NOT NULL,
    http_status INTEGER NOT NULL,
    fault INTEGER,
    duration_ms REAL NOT NULL,
    at INTEGER NOT NULL,
    logged REAL                               -- wall-clock time of the request: orders entries across workers
);
"""

# tables the world's state lives in (meta aside); the throttle is transient bookkeeping
TABLES = ("accounts", "ledger", "stock", "rentals", "sms", "retired_numbers", "throttle")


# SQLite type -> PostgreSQL type: every whole number may be a unix time or money units, so 64 bits;
# SQLite's REAL is a double (PostgreSQL's REAL is 4 bytes)
PG_TYPES = {"INTEGER": "BIGINT", "REAL": "DOUBLE PRECISION", "TEXT": "TEXT"}
# tables whose id PostgreSQL draws from a sequence (written by every host at once, outside the write lock);
# the others get SQLite's rule "largest id + 1" from a trigger, so ids match on both backends (even after a wipe)
PG_IDENTITY = ("journal",)
_PG_NEXT_ID = """
CREATE OR REPLACE FUNCTION mock_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        EXECUTE format('SELECT COALESCE(MAX(id), 0) + 1 FROM %I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME)
            INTO NEW.id;
    END IF;
    RETURN NEW;
END $$;
"""


def postgres(sqlite_ddl: str) -> str:
    """PostgreSQL DDL for SQLite DDL written in this module's portable subset."""
    out, trigger = [], []
    for statement in re.sub(r"--[^\n]*", "", sqlite_ddl).split(";"):
        table = re.search(r"CREATE TABLE IF NOT EXISTS (\w+)", statement)
        if table and "INTEGER PRIMARY KEY" in statement:
            if table[1] in PG_IDENTITY:
                statement = statement.replace("INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
            elif table[1] != "rentals":  # rental ids are always given (``Rentals.next_id``)
                trigger.append(f"CREATE OR REPLACE TRIGGER {table[1]}_next_id BEFORE INSERT ON {table[1]} "
                               f"FOR EACH ROW EXECUTE FUNCTION mock_next_id()")
        statement = re.sub(r"\b(INTEGER|REAL)\b", lambda m: PG_TYPES[m[1]], statement)
        out.append(statement.replace(" WITHOUT ROWID", ""))
    return _PG_NEXT_ID + ";".join(out) + ";\n" + ";\n".join(trigger) + ";\n"


PG_SCHEMA = postgres(SCHEMA)
PG_TABLES = tuple(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA))
PG_TRIGGERS = tuple(re.findall(r"CREATE OR REPLACE TRIGGER (\w+)_next_id", PG_SCHEMA))

# columns added since the first release: (table, column, SQLite type); ``migrate`` adds the missing ones
ADDED = (("rentals", "last_online", "INTEGER"), ("journal", "logged", "REAL"))
INDEXES = ("CREATE INDEX IF NOT EXISTS journal_by_time ON journal(logged)",)
# indexes of earlier versions that no query uses any more, dropped from older stores: each cost every
# rent and close a page write of its own. rentals_by_number: a number is looked up only among open
# rentals, which the partial unique index rentals_open_number serves; rentals_by_owner and
# rentals_open_by_key: both served by rentals_by_key
RETIRED_INDEXES = ("rentals_by_number", "rentals_by_owner", "rentals_open_by_key")


def is_postgres(db: Any) -> bool:
    """Whether a connection is the PostgreSQL adapter (``pg_adapter.Connection``) rather than sqlite3's."""
    return getattr(db, "dialect", "sqlite") == "postgres"


def columns(db: Any, table: str) -> list[str]:
    """The table's column names, in order, on either backend."""
    if is_postgres(db):
        return [r[0] for r in db.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                          "AND table_schema = current_schema() ORDER BY ordinal_position", (table,))]
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def migrate(db: Any, tables: tuple[str, ...] = ("rentals",)) -> None:
    """Add the columns (and indexes) of ``tables`` that newer code expects and drop retired indexes, on
    either backend."""
    for table, column, kind in ADDED:
        if table in tables and column not in columns(db, table):
            kind = PG_TYPES[kind] if is_postgres(db) else kind
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    if "rentals" in tables:
        for index in RETIRED_INDEXES:
            db.execute(f"DROP INDEX IF EXISTS {index}")
    if "journal" in tables:
        for index in INDEXES:
            db.execute(index)
