"""The PostgreSQL adapter's connections: an asyncpg pool that survives a lost server.

- Sizes come from settings (`DATABASE_POOL_MIN_SIZE`, `DATABASE_POOL_MAX_SIZE`).
- Every statement is prepared once per connection: asyncpg keeps each connection's
  prepared statements in an LRU cache keyed by the SQL text, and our SQL is constant.
- A server that goes away (restart, failover, network cut) kills the pooled connections.
  `run` retries an operation once on a fresh connection (asyncpg reconnects a dead pooled
  connection when it is acquired); if that fails too the caller gets
  `StorageUnavailableError` (the API answers 503), and the next call tries again. Every
  operation is a single statement or a transaction, so a retried one is applied once:
  upserts and owner-checked updates are idempotent, an uncommitted transaction died with
  its connection, and a claim whose answer was lost is leased again when its lease ends.

Example:
    >>> pool = await PostgresPool.open("postgresql://owdata@db/owdata")  # doctest: +SKIP
    >>> await pool.run(lambda conn: conn.fetchval("SELECT 1"))
    1
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from asyncpg.exceptions import _base as asyncpg_base
from asyncpg.pool import PoolConnectionProxy

from app.adapters.storage.errors import StorageClosedError
from app.adapters.storage.postgres_schema import migrate
from app.domain.errors import StorageUnavailableError

type Connection = PoolConnectionProxy[asyncpg.Record]
type Operation[T] = Callable[[Connection], Awaitable[T]]

RETRY_DELAY = 0.05
"""Pause before the one retry: lets asyncpg notice the dead socket of the first try."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PoolOptions:
    """Connection pool sizes and timeouts (seconds)."""

    min_size: int = 1
    max_size: int = 10
    connect_timeout: float = 5.0
    command_timeout: float = 30.0


def is_connection_error(exc: BaseException) -> bool:
    """True for failures of the connection itself (not of a statement or its input)."""
    if isinstance(exc, asyncpg_base.DataError):  # bad input, detected client-side
        return False
    return isinstance(
        exc,
        OSError  # refused, reset, unreachable, TimeoutError
        | asyncpg.PostgresConnectionError  # SQLSTATE 08: connection lost mid-operation
        | asyncpg.OperatorInterventionError  # SQLSTATE 57: admin shutdown, starting up
        | asyncpg.InterfaceError  # the connection was closed under us
        | asyncpg_base.InternalClientError,  # its state was broken by the loss
    )


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip().rstrip(":")


class PostgresPool:
    def __init__(self, pool: asyncpg.Pool[asyncpg.Record], dsn: str) -> None:
        self._pool = pool
        self.dsn = dsn
        self._closed = False

    @classmethod
    async def open(cls, dsn: str, options: PoolOptions | None = None) -> PostgresPool:
        """Connect, migrate (under an advisory lock), and open the pool.

        Raises `StorageUnavailableError` when the server cannot be reached, and asyncpg's
        own errors for a refused login or an unknown database.
        """
        options = options or PoolOptions()
        try:
            conn = await asyncpg.connect(dsn, timeout=options.connect_timeout)
        except (OSError, asyncpg.CannotConnectNowError) as exc:
            raise StorageUnavailableError(describe(exc)) from exc
        try:
            await migrate(conn)
        finally:
            await conn.close()
        pool = await asyncpg.create_pool(
            dsn,
            min_size=options.min_size,
            max_size=options.max_size,
            timeout=options.connect_timeout,
            command_timeout=options.command_timeout,
        )
        return cls(pool, dsn)

    def ensure_open(self) -> None:
        if self._closed:
            raise StorageClosedError

    async def run[T](self, operation: Operation[T]) -> T:
        """Run `operation` on a pooled connection; retried once if the connection failed."""
        self.ensure_open()
        try:
            return await self._attempt(operation)
        except Exception as exc:
            if not is_connection_error(exc):
                raise
            logger.warning("PostgreSQL connection failed (%s); retrying once", describe(exc))
        await asyncio.sleep(RETRY_DELAY)
        self.ensure_open()
        try:
            return await self._attempt(operation)
        except Exception as exc:
            if not is_connection_error(exc):
                raise
            raise StorageUnavailableError(describe(exc)) from exc

    async def _attempt[T](self, operation: Operation[T]) -> T:
        async with self._pool.acquire() as conn:
            return await operation(conn)

    async def transaction[T](self, operation: Operation[T]) -> T:
        """Like `run`, inside one transaction (committed when `operation` returns)."""

        async def in_transaction(conn: Connection) -> T:
            async with conn.transaction():
                return await operation(conn)

        return await self.run(in_transaction)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        return await self.run(lambda conn: conn.fetch(query, *args))

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        return await self.run(lambda conn: conn.fetchrow(query, *args))

    async def execute(self, query: str, *args: Any) -> str:
        """Run one statement; return its status (`UPDATE 1`, `DELETE 3`, ...)."""
        return await self.run(lambda conn: conn.execute(query, *args))

    async def warm_up(self, reads: Sequence[str], key: object) -> None:
        """Run each of `reads` (one parameter: `key`) on each of the pool's first
        connections (its minimum size), all of them at once: asyncpg prepares a statement
        once per connection."""

        async def warm(conn: Connection) -> None:
            for query in reads:
                await conn.fetch(query, key)

        self.ensure_open()
        async with contextlib.AsyncExitStack() as stack:
            held = [
                await stack.enter_async_context(self._pool.acquire())
                for _ in range(self._pool.get_min_size())
            ]
            await asyncio.gather(*(warm(conn) for conn in held))

    async def close(self) -> None:
        """Close every connection (waiting for those in use); later calls do nothing."""
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.wait_for(self._pool.close(), timeout=10)
        except Exception:  # a timeout, a dead server, a connection caught mid-operation
            logger.warning("PostgreSQL pool did not close cleanly; terminating it")
            self._pool.terminate()


def affected(status: str) -> int:
    """Rows touched, from a command status such as `UPDATE 1` or `INSERT 0 1`."""
    return int(status.rsplit(" ", 1)[-1])
