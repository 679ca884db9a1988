"""Opening one aiosqlite connection with the pragmas every owdata connection needs.

Example:
    >>> conn = await connect("data/owdata.db", busy_timeout_ms=5000, writer=True)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time

import aiosqlite

MEMORY = ":memory:"
WAL_RETRY_SECONDS = 0.02
WAL_SIZE_LIMIT = 64 * 1024 * 1024

logger = logging.getLogger(__name__)


async def connect(path: str, *, busy_timeout_ms: int, writer: bool) -> aiosqlite.Connection:
    """Connect with busy timeout, `synchronous=NORMAL` and foreign keys on.

    The writer also switches the file to WAL (a persistent setting, so readers opened
    afterwards inherit it); readers are `query_only`, so a bug cannot write through one.
    """
    # isolation_level=None: no implicit BEGIN from the sqlite3 module, we say when.
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        # busy_timeout first, so the following statements wait for other processes too.
        await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if writer:
            await enable_wal(conn, path, busy_timeout_ms / 1000)
            # Checkpoints reuse the WAL file but never shrink it; a burst of large writes
            # would otherwise leave it at its peak size for good.
            await conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
        await conn.execute("PRAGMA synchronous = NORMAL")  # durable enough with WAL, far faster
        await conn.execute("PRAGMA foreign_keys = ON")
        if not writer:
            await conn.execute("PRAGMA query_only = ON")
    except BaseException:
        await conn.close()
        raise
    return conn


async def enable_wal(conn: aiosqlite.Connection, path: str, wait_seconds: float) -> None:
    """Switch to WAL, retrying while another process holds the file (app and worker
    starting together): SQLite answers "database is locked" at once here instead of
    waiting for the busy timeout, because the switch needs an exclusive lock."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            rows = list(await conn.execute_fetchall("PRAGMA journal_mode = WAL"))
            break
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                raise
            await asyncio.sleep(WAL_RETRY_SECONDS)
    mode = rows[0][0]
    if path != MEMORY and mode != "wal":  # e.g. a network file system without shared memory
        logger.warning("SQLite file %s stays in %s journal mode: WAL unavailable", path, mode)
