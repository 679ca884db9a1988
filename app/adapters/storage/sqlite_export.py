"""`StorageExport` on the SQLite file: every row, in key order, a batch at a time.

Example:
    >>> storage = await SQLiteStorage.open("data/owdata.db")  # doctest: +SKIP
    >>> async for record in storage.export.static():
    ...     print(record.key)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from app.adapters.storage import sqlite_jobs
from app.adapters.storage import sqlite_rows as sql
from app.adapters.storage.sqlite_pool import SQLitePool
from app.ports import Job, PlayerRecord, StaticRecord, UnknownPlayer

KINDS = ("static_data", "player_profiles", "unknown_players", "jobs")
BATCH = 100
"""Rows read per query: profiles are a few hundred KB each, so memory stays bounded."""

_STATIC = """SELECT key, raw, parsed, parser_version, fetched_at FROM static_data
WHERE key > ? ORDER BY key LIMIT ?"""
_PLAYERS = f"""SELECT {sql._PLAYER_COLUMNS} FROM player_profiles
WHERE key > ? ORDER BY key LIMIT ?"""
_UNKNOWN = """SELECT key, check_count, next_check_at, last_checked_at FROM unknown_players
WHERE key > ? ORDER BY key LIMIT ?"""
_JOBS = f"""SELECT {sqlite_jobs._COLUMNS} FROM jobs
WHERE state IN ('queued', 'running') AND key > ? ORDER BY key LIMIT ?"""
_COUNTS = """SELECT
    (SELECT COUNT(*) FROM static_data), (SELECT COUNT(*) FROM player_profiles),
    (SELECT COUNT(*) FROM unknown_players),
    (SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running'))"""


class SQLiteExport:
    """Implements `app.ports.StorageExport`; get one from `SQLiteStorage.export`."""

    def __init__(self, pool: SQLitePool) -> None:
        self._pool = pool

    async def _rows(self, query: str) -> AsyncIterator[Any]:
        after = ""
        while True:
            async with self._pool.reader() as conn:
                rows = list(await conn.execute_fetchall(query, (after, BATCH)))
            for row in rows:
                yield row
            if len(rows) < BATCH:
                return
            after = rows[-1][0]

    async def counts(self) -> dict[str, int]:
        async with self._pool.reader() as conn:
            row = next(iter(await conn.execute_fetchall(_COUNTS)))
        return dict(
            zip(("static_data", "player_profiles", "unknown_players", "jobs"), row, strict=True)
        )

    async def static(self) -> AsyncIterator[StaticRecord]:
        async for row in self._rows(_STATIC):
            yield await sql.static_from_row(row[0], row[1:])

    async def players(self) -> AsyncIterator[PlayerRecord]:
        async for row in self._rows(_PLAYERS):
            yield await sql.player_from_row(row)

    async def unknown_players(self) -> AsyncIterator[UnknownPlayer]:
        async for row in self._rows(_UNKNOWN):
            yield UnknownPlayer(*row)

    async def pending_jobs(self) -> AsyncIterator[Job]:
        async for row in self._rows(_JOBS):
            yield sqlite_jobs.job_from_row(row)
