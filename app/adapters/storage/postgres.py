"""The `Storage` port on PostgreSQL, for deployments on several hosts (`DATABASE_URL`).

Same contract as `SQLiteStorage` (the conformance suites run over both): zstd payloads
in `bytea`, compact JSON, the schema migrated at open time under an advisory lock (see
`postgres_schema`), the job queue and outbox in the same database (`postgres_jobs`).
A lost server makes calls fail with `StorageUnavailableError` until it is back; the pool
reconnects by itself (`postgres_pool`).

Example:
    >>> storage = await PostgresStorage.open("postgresql://owdata@db:5432/owdata")  # doctest: +SKIP
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
from typing import Any

from app.adapters.storage import postgres_sql as sql
from app.adapters.storage.codec import (
    DecodeErrorObserver,
    OperationObserver,
    UnreadableRows,
    ignore_operation,
)
from app.adapters.storage.decoded_cache import DEFAULT_PROFILE_CACHE_BYTES, DecodedCache
from app.adapters.storage.outbox import PendingWrites
from app.adapters.storage.postgres_export import PostgresExport
from app.adapters.storage.postgres_jobs import PostgresJobQueue, outbox_transaction
from app.adapters.storage.postgres_pool import Connection, PoolOptions, PostgresPool, affected
from app.ports import PlayerRecord, StaticRecord, StorageStats, UnknownPlayer

logger = logging.getLogger(__name__)


class PostgresStorage:
    def __init__(
        self,
        pool: PostgresPool,
        on_operation: OperationObserver,
        on_decode_error: DecodeErrorObserver | None = None,
        profile_cache_bytes: int = DEFAULT_PROFILE_CACHE_BYTES,
    ) -> None:
        self._pool = pool
        self.decoded_profiles = DecodedCache(profile_cache_bytes)
        """Decoded profiles, reused while their row is unchanged (see `decoded_cache`)."""
        self._on_operation = on_operation
        self._rows = UnreadableRows(on_decode_error)
        self.jobs = PostgresJobQueue(pool, self._rows)
        """The durable job queue in the same database (`app.ports.JobQueue`)."""
        self.export = PostgresExport(pool)
        """Everything stored, for `owdata storage copy` (`app.ports.StorageExport`)."""

    @classmethod
    async def open(
        cls,
        dsn: str,
        options: PoolOptions | None = None,
        *,
        on_operation: OperationObserver | None = None,
        on_decode_error: DecodeErrorObserver | None = None,
        profile_cache_bytes: int = DEFAULT_PROFILE_CACHE_BYTES,
    ) -> PostgresStorage:
        """Connect, migrate and open the pool (see `PostgresPool.open` for the errors).

        A row that cannot be decoded reads as absent and is reported to `on_decode_error`
        (see `codec.UnreadableRows`).
        """
        pool = await PostgresPool.open(dsn, options)
        return cls(pool, on_operation or ignore_operation, on_decode_error, profile_cache_bytes)

    def transaction(self) -> contextlib.AbstractAsyncContextManager[PendingWrites]:
        """Record writes and jobs in the block; commit them together when it exits."""
        return outbox_transaction(self._pool)

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

    async def warm_up(self) -> None:
        await self._pool.warm_up(sql.WARM_UP_READS, sql.b(sql.WARM_UP_KEY))

    async def get_static(self, key: str) -> StaticRecord | None:
        with self._timed("static_data", "get"):
            row = await self._pool.fetchrow(sql.GET_STATIC, sql.b(key))
            return None if row is None else await self._rows.absent(sql.static_from_row(key, row))

    async def put_static(self, record: StaticRecord) -> None:
        with self._timed("static_data", "put"):
            self._pool.ensure_open()
            args = await sql.static_args(record, now=time.time())
            await self._pool.execute(sql.PUT_STATIC, *args)

    async def get_player(self, key: str) -> PlayerRecord | None:
        with self._timed("player_profiles", "get"):
            row = await self._pool.fetchrow(sql.GET_PLAYER, sql.b(key))
            return None if row is None else await self._player(row)

    async def find_player_by_battletag(self, battletag: str) -> PlayerRecord | None:
        """The most recently fetched profile with this exact BattleTag."""
        with self._timed("player_profiles", "find_by_battletag"):
            row = await self._pool.fetchrow(sql.FIND_PLAYER_BY_BATTLETAG, sql.b(battletag))
            return None if row is None else await self._player(row)

    async def _player(self, row: Any) -> PlayerRecord | None:
        return await self._rows.absent(sql.player_from_row(row, self.decoded_profiles))

    async def put_player(self, record: PlayerRecord) -> None:
        """Upsert; a None `battletag` or `name` keeps the stored value. A Blizzard-ID-keyed
        record naming a BattleTag replaces the row keyed by that BattleTag (it moved)."""
        with self._timed("player_profiles", "put"):
            self._pool.ensure_open()
            args = await sql.player_args(record, now=time.time())

            async def upsert(conn: Connection) -> None:
                await conn.execute(sql.PUT_PLAYER, *args)
                await conn.execute(sql.DELETE_MOVED_PLAYER, *sql.moved_args(args))

            await self._pool.transaction(upsert)
            # Memory only: a changed row never matches its old entry anyway.
            self.decoded_profiles.discard("player_profiles", record.key, record.battletag)

    async def delete_players_older_than(self, cutoff: float) -> int:
        with self._timed("player_profiles", "delete_older_than"):
            deleted = affected(await self._pool.execute(sql.DELETE_PLAYERS_OLDER_THAN, cutoff))
            if deleted:
                self.decoded_profiles.clear()
            return deleted

    async def get_unknown_player(self, key: str) -> UnknownPlayer | None:
        with self._timed("unknown_players", "get"):
            row = await self._pool.fetchrow(sql.GET_UNKNOWN, sql.b(key))
            return None if row is None else UnknownPlayer(key, *row)

    async def put_unknown_player(self, status: UnknownPlayer) -> None:
        with self._timed("unknown_players", "put"):
            await self._pool.execute(sql.PUT_UNKNOWN, *sql.unknown_args(status))

    async def clear_unknown_player(self, *keys: str) -> None:
        with self._timed("unknown_players", "clear"):
            self._pool.ensure_open()
            if keys:
                await self._pool.execute(sql.DELETE_UNKNOWN, [sql.b(key) for key in keys])

    async def delete_unknown_players_due_before(self, cutoff: float) -> int:
        with self._timed("unknown_players", "delete_due_before"):
            return affected(await self._pool.execute(sql.DELETE_UNKNOWN_DUE_BEFORE, cutoff))

    async def count_unknown_players(self) -> int:
        with self._timed("unknown_players", "count"):
            count: int = await self._pool.run(lambda conn: conn.fetchval(sql.COUNT_UNKNOWN))
            return count

    async def stats(self) -> StorageStats:
        """Bytes used by owdata's tables (indexes and TOAST included) and rows per table."""
        with self._timed("all", "stats"):
            row = await self._pool.fetchrow(sql.STATS)
            assert row is not None
            statics, players, unknowns, size = row
            rows = {"static_data": statics, "player_profiles": players, "unknown_players": unknowns}
            return StorageStats(size_bytes=size, rows=rows)

    async def close(self) -> None:
        """Close the pool; safe to call more than once."""
        await self._pool.close()
