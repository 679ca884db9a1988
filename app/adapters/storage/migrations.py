"""SQLite schema migrations, numbered by position and tracked in `PRAGMA user_version`.

Migration N is `MIGRATIONS[N - 1]`: an SQL script or an async function receiving the
connection. `migrate` applies the missing ones in order, each in its own
`BEGIN IMMEDIATE` transaction together with the `user_version` bump, so a crash or a
concurrent opener (app and worker sharing the file) never leaves a half-applied step.

To change the schema, append a step; never edit a released one:

    MIGRATIONS = (
        _V1,
        "ALTER TABLE static_data ADD COLUMN etag TEXT;",  # becomes version 2
    )

Steps run inside a transaction, so they must not use `VACUUM` or `PRAGMA journal_mode`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Sequence

import aiosqlite

from app.adapters.storage.errors import SchemaVersionError

type Migration = str | Callable[[aiosqlite.Connection], Awaitable[None]]

# STRICT tables make SQLite enforce the declared column types, so a row can only be
# corrupt inside a payload, never by holding text where a number belongs.
_V1 = """
CREATE TABLE IF NOT EXISTS static_data (
    key             TEXT PRIMARY KEY,
    raw             BLOB NOT NULL,      -- zstd
    parsed          BLOB NOT NULL,      -- zstd of compact JSON
    parser_version  INTEGER NOT NULL,
    fetched_at      REAL NOT NULL,      -- unix seconds
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS player_profiles (
    blizzard_id            TEXT PRIMARY KEY,
    battletag              TEXT,
    name                   TEXT,
    raw                    BLOB NOT NULL,  -- zstd
    parsed                 BLOB NOT NULL,  -- zstd of compact JSON
    parser_version         INTEGER NOT NULL,
    search_entry           TEXT,           -- compact JSON, NULL for None
    last_updated_blizzard  INTEGER,
    fetched_at             REAL NOT NULL,
    created_at             REAL NOT NULL,
    updated_at             REAL NOT NULL
) STRICT;

-- Partial: many profiles have no BattleTag, and `battletag = ?` still uses it. The
-- trailing columns serve `find_player_by_battletag`'s ORDER BY without a sort.
CREATE INDEX IF NOT EXISTS idx_player_profiles_battletag
    ON player_profiles (battletag, fetched_at, blizzard_id) WHERE battletag IS NOT NULL;

-- Age-based cleanup (`delete_players_older_than`).
CREATE INDEX IF NOT EXISTS idx_player_profiles_fetched_at ON player_profiles (fetched_at);

CREATE TABLE IF NOT EXISTS unknown_players (
    key              TEXT PRIMARY KEY,
    check_count      INTEGER NOT NULL,
    next_check_at    REAL NOT NULL,
    last_checked_at  REAL NOT NULL
) STRICT;
"""

# The durable refresh queue (see `sqlite_jobs`). `key` is the entity a job refreshes, so
# the primary key is the deduplication. `claim` reads the index in (state, run_at, key)
# order; the trailing key makes ties deterministic without a sort.
_V2_JOBS = """
CREATE TABLE IF NOT EXISTS jobs (
    key          TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,     -- compact JSON
    state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    run_at       REAL NOT NULL,     -- unix seconds; not claimed before
    lease_until  REAL,              -- running only: reclaimable from then on
    lease_owner  TEXT,              -- running only: the lease token of the claim
    last_error   TEXT,
    created_at   REAL NOT NULL,
    updated_at   REAL NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS idx_jobs_state_run_at ON jobs (state, run_at, key);
"""

# Player profiles are keyed by `PlayerRecord.key`: a Blizzard ID as before, or the BattleTag
# of a career page Blizzard served without redirecting to a Blizzard ID. Existing rows (all
# keyed by Blizzard ID) keep their key; the BattleTag index follows the rename.
_V3_PLAYER_KEY = """
ALTER TABLE player_profiles RENAME COLUMN blizzard_id TO key;
"""

MIGRATIONS: tuple[Migration, ...] = (_V1, _V2_JOBS, _V3_PLAYER_KEY)


def split_statements(script: str) -> list[str]:
    """Split an SQL script into statements (`executescript` would commit our transaction)."""
    statements: list[str] = []
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        # A ";" inside a string literal or a trigger body does not end the statement.
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \t\r\n;"):
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip(" \t\r\n;"):
        raise ValueError(f"incomplete SQL statement in migration: {buffer[:80]!r}")
    return statements


async def schema_version(conn: aiosqlite.Connection) -> int:
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    version: int = rows[0][0]
    return version


async def migrate(conn: aiosqlite.Connection, steps: Sequence[Migration] | None = None) -> int:
    """Bring the database to the latest version; return it.

    Raises `SchemaVersionError` when the database is newer than `steps`, before changing
    anything. `steps` defaults to `MIGRATIONS` (read at call time, so tests can extend it).
    """
    steps = MIGRATIONS if steps is None else steps
    latest = len(steps)
    for version in range(await schema_version(conn) + 1, latest + 1):
        await _apply(conn, version, steps[version - 1], latest)
    # Also covers the loop not running at all: the file may come from a newer owdata.
    found = await schema_version(conn)
    if found > latest:
        raise SchemaVersionError(found, latest)
    return latest


async def _apply(conn: aiosqlite.Connection, version: int, step: Migration, latest: int) -> None:
    try:
        await conn.execute("BEGIN IMMEDIATE")  # in the try: see SQLitePool.transaction
        # Another process may have migrated while we waited for the write lock.
        current = await schema_version(conn)
        if current > latest:
            raise SchemaVersionError(current, latest)
        if current < version:
            if isinstance(step, str):
                for statement in split_statements(step):
                    await conn.execute(statement)
            else:
                await step(conn)
            await conn.execute(f"PRAGMA user_version = {version}")
        await conn.commit()
    except BaseException:
        await conn.rollback()
        raise
