"""PostgreSQL schema migrations, numbered by position and recorded in `schema_migrations`.

Migration N is `MIGRATIONS[N - 1]`, an SQL script. `migrate` takes a session advisory
lock first, so several processes starting at once (API hosts, workers) migrate once: the
others wait, then find nothing left to do. Each step commits in one transaction with its
row in `schema_migrations`. To change the schema, append a step; never edit a released
one (the same rule as the SQLite migrations; the numbers are PostgreSQL's own).

Column choices:
- identifiers and names (`key`, `battletag`, `name`) are `bytea` holding
  UTF-8: PostgreSQL `text` cannot hold U+0000, which a Python `str` (and SQLite) can, and
  byte order makes `ORDER BY key` the same on every server whatever its collation
  (`convert_from(key, 'UTF8')` shows them as text);
- payloads are zstd frames in `bytea` with `STORAGE EXTERNAL`: out of line, and not
  compressed a second time by PostgreSQL;
- times are unix seconds in `double precision`, as in SQLite.
"""

from __future__ import annotations

import asyncpg

from app.adapters.storage.errors import SchemaVersionError

MIGRATION_LOCK = 0x6F77_6461_7461  # "owdata": the advisory lock key of `migrate`

_V1 = """
CREATE TABLE static_data (
    key             bytea PRIMARY KEY,
    raw             bytea NOT NULL,           -- zstd
    parsed          bytea NOT NULL,           -- zstd of compact JSON
    parser_version  integer NOT NULL,
    fetched_at      double precision NOT NULL,
    created_at      double precision NOT NULL,
    updated_at      double precision NOT NULL
);
ALTER TABLE static_data ALTER COLUMN raw SET STORAGE EXTERNAL,
    ALTER COLUMN parsed SET STORAGE EXTERNAL;

CREATE TABLE player_profiles (
    key                    bytea PRIMARY KEY,   -- a Blizzard ID or a BattleTag
    battletag              bytea,
    name                   bytea,
    raw                    bytea NOT NULL,
    parsed                 bytea NOT NULL,
    parser_version         integer NOT NULL,
    search_entry           text,              -- compact JSON, NULL for None
    last_updated_blizzard  bigint,
    fetched_at             double precision NOT NULL,
    created_at             double precision NOT NULL,
    updated_at             double precision NOT NULL
);
ALTER TABLE player_profiles ALTER COLUMN raw SET STORAGE EXTERNAL,
    ALTER COLUMN parsed SET STORAGE EXTERNAL;
CREATE INDEX idx_player_profiles_battletag
    ON player_profiles (battletag, fetched_at, key) WHERE battletag IS NOT NULL;
CREATE INDEX idx_player_profiles_fetched_at ON player_profiles (fetched_at);

CREATE TABLE unknown_players (
    key              bytea PRIMARY KEY,
    check_count      integer NOT NULL,
    next_check_at    double precision NOT NULL,
    last_checked_at  double precision NOT NULL
);
"""

_V2_JOBS = """
CREATE TABLE jobs (
    key          bytea PRIMARY KEY,
    kind         text NOT NULL,
    payload      text NOT NULL,               -- compact JSON
    state        text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts     integer NOT NULL DEFAULT 0,
    run_at       double precision NOT NULL,
    lease_until  double precision,
    lease_owner  text,
    last_error   text,
    created_at   double precision NOT NULL,
    updated_at   double precision NOT NULL
);
CREATE INDEX idx_jobs_state_run_at ON jobs (state, run_at, key);
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2_JOBS)

_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


async def schema_version(conn: asyncpg.Connection[asyncpg.Record]) -> int:
    version: int = await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
    return version


async def migrate(
    conn: asyncpg.Connection[asyncpg.Record], steps: tuple[str, ...] | None = None
) -> int:
    """Bring the database to the latest version under the advisory lock; return it.

    Raises `SchemaVersionError` (changing nothing) when the database is newer than `steps`.
    """
    steps = MIGRATIONS if steps is None else steps
    latest = len(steps)
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await conn.execute(_LEDGER)
        found = await schema_version(conn)
        if found > latest:
            raise SchemaVersionError(found, latest)
        for version in range(found + 1, latest + 1):
            async with conn.transaction():
                await conn.execute(steps[version - 1])
                await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
        return latest
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
