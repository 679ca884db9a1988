"""`StorageExport` on PostgreSQL: every row, in key order, a batch at a time.

Example:
    >>> storage = await PostgresStorage.open("postgresql://owdata@db/owdata")  # doctest: +SKIP
    >>> async for record in storage.export.players():
    ...     print(record.key)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from app.adapters.storage import postgres_jobs
from app.adapters.storage import postgres_sql as sql
from app.adapters.storage.postgres_pool import PostgresPool
from app.ports import Job, PlayerRecord, StaticRecord, UnknownPlayer

KINDS = ("static_data", "player_profiles", "unknown_players", "jobs")
BATCH = 100
"""Rows read per query: profiles are a few hundred KB each, so memory stays bounded."""

_STATIC = """SELECT key, raw, parsed, parser_version, fetched_at FROM static_data
WHERE key > $1 ORDER BY key LIMIT $2"""
_PLAYERS = f"""SELECT {sql._PLAYER_COLUMNS} FROM player_profiles
WHERE key > $1 ORDER BY key LIMIT $2"""
_UNKNOWN = """SELECT key, check_count, next_check_at, last_checked_at FROM unknown_players
WHERE key > $1 ORDER BY key LIMIT $2"""
_JOBS = f"""SELECT {postgres_jobs._COLUMNS} FROM jobs
WHERE state IN ('queued', 'running') AND key > $1 ORDER BY key LIMIT $2"""
_COUNTS = """SELECT
    (SELECT COUNT(*) FROM static_data), (SELECT COUNT(*) FROM player_profiles),
    (SELECT COUNT(*) FROM unknown_players),
    (SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running'))"""


class PostgresExport:
    """Implements `app.ports.StorageExport`; get one from `PostgresStorage.export`."""

    def __init__(self, pool: PostgresPool) -> None:
        self._pool = pool

    async def _rows(self, query: str) -> AsyncIterator[Any]:
        after = b""
        while True:
            rows = await self._pool.fetch(query, after, BATCH)
            for row in rows:
                yield row
            if len(rows) < BATCH:
                return
            after = rows[-1][0]

    async def counts(self) -> dict[str, int]:
        row = await self._pool.fetchrow(_COUNTS)
        assert row is not None
        return dict(
            zip(("static_data", "player_profiles", "unknown_players", "jobs"), row, strict=True)
        )

    async def static(self) -> AsyncIterator[StaticRecord]:
        async for row in self._rows(_STATIC):
            key = sql.ss("static_data", row[0])
            yield await sql.static_from_row(key, row[1:])

    async def players(self) -> AsyncIterator[PlayerRecord]:
        async for row in self._rows(_PLAYERS):
            yield await sql.player_from_row(row)

    async def unknown_players(self) -> AsyncIterator[UnknownPlayer]:
        async for row in self._rows(_UNKNOWN):
            yield UnknownPlayer(sql.ss("unknown_players", row[0]), *row[1:])

    async def pending_jobs(self) -> AsyncIterator[Job]:
        async for row in self._rows(_JOBS):
            yield postgres_jobs.job_from_row(row)
