"""The SQLite adapter's connections: one writer behind a lock, a few readers in a pool.

Why this shape (OverFast's SQLite era failed on "database is locked" and broken pools):
- every write goes through the single writer connection, serialised by an
  `asyncio.Lock`, inside `BEGIN IMMEDIATE`: the write lock is taken up front, so a
  transaction never has to upgrade from reader to writer (the classic deadlock), and
  another process writing the same file is waited for with `busy_timeout`;
- WAL lets the readers run while the writer writes; readers are `query_only`;
- `:memory:` is private to one connection, so there the writer also serves reads.
aiosqlite runs each connection on its own thread, so the event loop never blocks.

Example:
    >>> pool = await SQLitePool.open("data/owdata.db", busy_timeout_ms=5000)  # doctest: +SKIP
    >>> async with pool.transaction() as conn:
    ...     await conn.execute("DELETE FROM unknown_players")
    >>> async with pool.reader() as conn:
    ...     rows = await conn.execute_fetchall("SELECT COUNT(*) FROM unknown_players")
    >>> await pool.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import aiosqlite

from app.adapters.storage.errors import StorageClosedError
from app.adapters.storage.migrations import migrate
from app.adapters.storage.sqlite_connect import MEMORY, connect

READERS = 2
"""Reads are short point lookups; two readers cover a read during a slow one."""

logger = logging.getLogger(__name__)


class SQLitePool:
    def __init__(
        self, path: str, writer: aiosqlite.Connection, readers: list[aiosqlite.Connection]
    ) -> None:
        self.path = path
        self._writer = writer
        self._write_lock = asyncio.Lock()
        self._readers = readers
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for reader in readers:
            self._idle.put_nowait(reader)
        self._closed = False

    @classmethod
    async def open(cls, path: str, *, busy_timeout_ms: int) -> SQLitePool:
        """Connect, apply pragmas and migrations, then open the readers."""
        if path != MEMORY:
            await asyncio.to_thread(Path(path).parent.mkdir, parents=True, exist_ok=True)
        conns = [await connect(path, busy_timeout_ms=busy_timeout_ms, writer=True)]
        try:
            await migrate(conns[0])
            for _ in range(0 if path == MEMORY else READERS):
                conns.append(await connect(path, busy_timeout_ms=busy_timeout_ms, writer=False))
        except BaseException:
            for conn in conns:
                await conn.close()
            raise
        return cls(path, conns[0], conns[1:])

    def ensure_open(self) -> None:
        if self._closed:
            raise StorageClosedError

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """The writer inside `BEGIN IMMEDIATE`; commits on exit, rolls back on any error."""
        async with self._write_lock:
            self.ensure_open()
            try:
                # Inside the try: if we are cancelled while BEGIN is queued, it still runs
                # on the writer's thread, and only the rollback below undoes it.
                await self._writer.execute("BEGIN IMMEDIATE")
                yield self._writer
                await self._writer.commit()
            except BaseException:
                # Queued on the writer's thread even if we are being cancelled, so the
                # next BEGIN always runs after it; a no-op when no transaction is open.
                await self._rollback()
                raise

    async def _rollback(self) -> None:
        try:
            await self._writer.rollback()
        except sqlite3.Error:
            logger.exception("rollback failed on %s", self.path)

    @contextlib.asynccontextmanager
    async def reader(self) -> AsyncIterator[aiosqlite.Connection]:
        """A connection for reads: an idle reader, or the locked writer for `:memory:`."""
        if not self._readers:
            async with self._write_lock:
                self.ensure_open()
                yield self._writer
            return
        conn = await self._idle.get()
        try:
            self.ensure_open()
            yield conn
        finally:
            self._idle.put_nowait(conn)

    async def warm_up(self, reads: Sequence[str], key: object) -> None:
        """Run each of `reads` (one parameter: `key`) on every connection that serves
        reads, all of them at once: a connection's first statement loads the schema, and
        each statement is prepared once per connection."""

        async def warm(conn: aiosqlite.Connection) -> None:
            for query in reads:
                await conn.execute_fetchall(query, (key,))

        if not self._readers:
            async with self._write_lock:
                self.ensure_open()
                await warm(self._writer)
            return
        held = [await self._idle.get() for _ in self._readers]
        try:
            self.ensure_open()
            await asyncio.gather(*(warm(conn) for conn in held))
        finally:
            for conn in held:
                self._idle.put_nowait(conn)

    async def wal_bytes(self) -> int:
        """Size of the write-ahead log file (0 for `:memory:` or after a checkpoint)."""
        if self.path == MEMORY:
            return 0
        wal = Path(f"{self.path}-wal")
        try:
            return (await asyncio.to_thread(wal.stat)).st_size
        except FileNotFoundError:
            return 0

    async def close(self) -> None:
        """Run `PRAGMA optimize` and close every connection; later calls do nothing."""
        async with self._write_lock:  # waits for the write in flight, if any
            if self._closed:
                return
            self._closed = True
            try:
                await self._writer.execute("PRAGMA optimize")
            except sqlite3.Error:
                logger.exception("PRAGMA optimize failed on %s", self.path)
            # aiosqlite queues close behind a reader's in-flight query, so none is cut off.
            for conn in (*self._readers, self._writer):
                try:
                    await conn.close()
                except (sqlite3.Error, ValueError):  # keep closing the others
                    logger.exception("closing a connection to %s failed", self.path)
