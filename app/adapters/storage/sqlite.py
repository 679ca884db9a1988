"""The `Storage` port on an SQLite file (the default, embedded deployment).

Payloads are zstd-compressed, `parsed` is compact JSON, the schema is migrated at open
time (see `migrations`), and connections are handled by `SQLitePool`.

Example:
    >>> storage = await SQLiteStorage.open("data/owdata.db")  # doctest: +SKIP
    >>> await storage.put_static(StaticRecord("maps:all", b"[]", [], 1, time.time()))
    >>> (await storage.get_static("maps:all")).parsed
    []
    >>> await storage.close()
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.adapters.storage import sqlite_rows as sql
from app.adapters.storage.codec import (
    DecodeErrorObserver,
    OperationObserver,
    UnreadableRows,
    ignore_operation,
)
from app.adapters.storage.decoded_cache import DEFAULT_PROFILE_CACHE_BYTES, DecodedCache
from app.adapters.storage.errors import (
    SchemaVersionError,
    StorageClosedError,
    StorageCorruptionError,
    StorageError,
)
from app.adapters.storage.outbox import PendingWrites
from app.adapters.storage.sqlite_export import SQLiteExport
from app.adapters.storage.sqlite_jobs import SQLiteJobQueue, outbox_transaction
from app.adapters.storage.sqlite_pool import SQLitePool
from app.ports import PlayerRecord, StaticRecord, StorageStats, UnknownPlayer

__all__ = [
    "SQLiteStorage",
    "SchemaVersionError",
    "StorageClosedError",
    "StorageCorruptionError",
    "StorageError",
]

logger = logging.getLogger(__name__)


class SQLiteStorage:
    def __init__(
        self,
        pool: SQLitePool,
        on_operation: OperationObserver,
        on_decode_error: DecodeErrorObserver | None = None,
        profile_cache_bytes: int = DEFAULT_PROFILE_CACHE_BYTES,
    ) -> None:
        self._pool = pool
        self._on_operation = on_operation
        self._rows = UnreadableRows(on_decode_error)
        self.decoded_profiles = DecodedCache(profile_cache_bytes)
        """Recently decoded profiles, reused while their row is unchanged."""
        self.jobs = SQLiteJobQueue(pool, self._rows)
        """The durable job queue in the same file (`app.ports.JobQueue`)."""
        self.export = SQLiteExport(pool)
        """Everything stored, for `owdata storage copy` (`app.ports.StorageExport`)."""

    def transaction(self) -> contextlib.AbstractAsyncContextManager[PendingWrites]:
        """Record writes and jobs in the block; commit them together when it exits.

        Nothing is written if the block raises (see `outbox` and `app.ports.Outbox`).
        """
        return outbox_transaction(self._pool)

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        busy_timeout_ms: int = 5000,
        on_operation: OperationObserver | None = None,
        on_decode_error: DecodeErrorObserver | None = None,
        profile_cache_bytes: int = DEFAULT_PROFILE_CACHE_BYTES,
    ) -> SQLiteStorage:
        """Open (creating the file and its folder if needed) and migrate the database.

        A row that cannot be decoded reads as absent and is reported to `on_decode_error`
        (see `codec.UnreadableRows`). Decoded profiles are kept in an LRU of
        `profile_cache_bytes` (0: none), see `decoded_cache`. Raises
        `SchemaVersionError` if the file was written by a newer owdata.
        """
        pool = await SQLitePool.open(str(path), busy_timeout_ms=busy_timeout_ms)
        return cls(pool, on_operation or ignore_operation, on_decode_error, profile_cache_bytes)

    @contextlib.contextmanager
    def _timed(self, table: str, operation: str) -> Iterator[None]:
        started, ok = time.perf_counter(), False
        try:
            yield
            ok = True
        finally:
            try:
                self._on_operation(table, operation, time.perf_counter() - started, ok)
            except Exception:  # a metrics bug must not fail a write that succeeded
                logger.exception("storage on_operation callback failed")

    async def _fetch_one(self, query: str, params: tuple[Any, ...]) -> Any:
        async with self._pool.reader() as conn:
            rows = list(await conn.execute_fetchall(query, params))
        return rows[0] if rows else None

    async def warm_up(self) -> None:
        await self._pool.warm_up(sql.WARM_UP_READS, sql.WARM_UP_KEY)

    async def get_static(self, key: str) -> StaticRecord | None:
        with self._timed("static_data", "get"):
            row = await self._fetch_one(sql.GET_STATIC, (key,))
            return None if row is None else await self._rows.absent(sql.static_from_row(key, row))

    async def put_static(self, record: StaticRecord) -> None:
        with self._timed("static_data", "put"):
            params = await sql.static_params(record, now=time.time())
            async with self._pool.transaction() as conn:
                await conn.execute(sql.PUT_STATIC, params)

    async def get_player(self, key: str) -> PlayerRecord | None:
        with self._timed("player_profiles", "get"):
            row = await self._fetch_one(sql.GET_PLAYER, (key,))
            return None if row is None else await self._player(row)

    async def find_player_by_battletag(self, battletag: str) -> PlayerRecord | None:
        """The most recently fetched profile with this exact BattleTag."""
        with self._timed("player_profiles", "find_by_battletag"):
            row = await self._fetch_one(sql.FIND_PLAYER_BY_BATTLETAG, (battletag,))
            return None if row is None else await self._player(row)

    async def _player(self, row: Any) -> PlayerRecord | None:
        return await self._rows.absent(sql.player_from_row(row, self.decoded_profiles))

    async def put_player(self, record: PlayerRecord) -> None:
        """Upsert; a None `battletag` or `name` keeps the stored value. A Blizzard-ID-keyed
        record naming a BattleTag replaces the row keyed by that BattleTag (it moved)."""
        with self._timed("player_profiles", "put"):
            params = await sql.player_params(record, now=time.time())
            async with self._pool.transaction() as conn:
                await conn.execute(sql.PUT_PLAYER, params)
                await conn.execute(sql.DELETE_MOVED_PLAYER, params)
            # Memory only: a changed row never matches its old entry anyway.
            self.decoded_profiles.discard("player_profiles", record.key, record.battletag)

    async def delete_players_older_than(self, cutoff: float) -> int:
        with self._timed("player_profiles", "delete_older_than"):
            async with self._pool.transaction() as conn:
                cursor = await conn.execute(sql.DELETE_PLAYERS_OLDER_THAN, (cutoff,))
            if cursor.rowcount:
                self.decoded_profiles.clear()
            return cursor.rowcount

    async def get_unknown_player(self, key: str) -> UnknownPlayer | None:
        with self._timed("unknown_players", "get"):
            row = await self._fetch_one(sql.GET_UNKNOWN, (key,))
            return None if row is None else UnknownPlayer(key, *row)

    async def put_unknown_player(self, status: UnknownPlayer) -> None:
        with self._timed("unknown_players", "put"):
            async with self._pool.transaction() as conn:
                await conn.execute(sql.PUT_UNKNOWN, asdict(status))

    async def clear_unknown_player(self, *keys: str) -> None:
        with self._timed("unknown_players", "clear"):
            self._pool.ensure_open()
            if not keys:
                return
            async with self._pool.transaction() as conn:
                await conn.executemany(sql.DELETE_UNKNOWN, [(key,) for key in keys])

    async def delete_unknown_players_due_before(self, cutoff: float) -> int:
        with self._timed("unknown_players", "delete_due_before"):
            async with self._pool.transaction() as conn:
                cursor = await conn.execute(sql.DELETE_UNKNOWN_DUE_BEFORE, (cutoff,))
                return cursor.rowcount

    async def count_unknown_players(self) -> int:
        with self._timed("unknown_players", "count"):
            row = await self._fetch_one(sql.COUNT_UNKNOWN, ())
            count: int = row[0]
            return count

    async def stats(self) -> StorageStats:
        """Size on disk (database pages plus the WAL file) and row counts per table."""
        with self._timed("all", "stats"):
            statics, players, unknowns, size = await self._fetch_one(sql.STATS, ())
            size += await self._pool.wal_bytes()
            rows = {"static_data": statics, "player_profiles": players, "unknown_players": unknowns}
            return StorageStats(size_bytes=size, rows=rows)

    async def close(self) -> None:
        """Optimise and close the connections; safe to call more than once."""
        await self._pool.close()
