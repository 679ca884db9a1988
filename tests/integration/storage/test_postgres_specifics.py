"""What only the PostgreSQL adapter has: migrations under an advisory lock, claims across
separate pools (processes), a lost server, prepared statements, a rollback on the server.

The behaviour every adapter shares is in the conformance suites."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import asyncpg
import pytest

from app.adapters.storage import postgres_schema
from app.adapters.storage import postgres_sql as sql
from app.adapters.storage.errors import SchemaVersionError
from app.adapters.storage.postgres import PostgresStorage
from app.adapters.storage.postgres_pool import PoolOptions
from app.domain.errors import StorageUnavailableError
from tests.postgres_server import PostgresProcess

from .conftest import make_player, make_static

pytestmark = pytest.mark.postgres


async def scalar(url: str, query: str) -> Any:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(query)
    finally:
        await conn.close()


async def test_processes_starting_together_migrate_once(postgres_url: str) -> None:
    storages = await asyncio.gather(*(PostgresStorage.open(postgres_url) for _ in range(6)))
    try:
        versions = await scalar(postgres_url, "SELECT array_agg(version) FROM schema_migrations")
        assert sorted(versions) == list(range(1, len(postgres_schema.MIGRATIONS) + 1))
        await storages[0].put_static(make_static())
        assert await storages[5].get_static("heroes:en-us") == make_static()
    finally:
        for storage in storages:
            await storage.close()


async def test_a_newer_schema_is_refused_untouched(postgres_url: str) -> None:
    await (await PostgresStorage.open(postgres_url)).close()
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute("INSERT INTO schema_migrations (version) VALUES (99)")
    finally:
        await conn.close()
    with pytest.raises(SchemaVersionError):
        await PostgresStorage.open(postgres_url)
    assert await scalar(postgres_url, "SELECT COUNT(*) FROM schema_migrations") == 3


async def test_concurrent_runners_in_separate_pools_claim_each_job_once(
    postgres_url: str,
) -> None:
    storages = [await PostgresStorage.open(postgres_url) for _ in range(4)]
    try:
        keys = [f"job-{n:03}" for n in range(60)]
        for key in keys:
            await storages[0].jobs.enqueue(key, "k", None, run_at=0)

        async def drain(storage: PostgresStorage, owner: str) -> list[str]:
            claimed = []
            while (job := await storage.jobs.claim(owner, lease_seconds=60, now=1)) is not None:
                claimed.append(job.key)
            return claimed

        results = await asyncio.gather(*(drain(s, f"w{n}") for n, s in enumerate(storages)))
        every = [key for claimed in results for key in claimed]
        assert sorted(every) == keys  # each exactly once
    finally:
        for storage in storages:
            await storage.close()


async def test_a_failing_statement_rolls_the_transaction_back(postgres_url: str) -> None:
    storage = await PostgresStorage.open(postgres_url)
    try:

        async def write() -> None:
            async with storage.transaction() as tx:
                tx.put_static(make_static())
                tx.put_player(make_player())
                tx.enqueue("k", None, {}, run_at=0)  # type: ignore[arg-type]  # kind NOT NULL

        with pytest.raises(asyncpg.NotNullViolationError):
            await write()
        assert await storage.get_static("heroes:en-us") is None
        assert await storage.get_player("a1b2c3d4|e5f6") is None
    finally:
        await storage.close()


async def test_statements_are_prepared_once_per_connection(postgres_url: str) -> None:
    storage = await PostgresStorage.open(postgres_url, PoolOptions(min_size=1, max_size=1))
    try:
        for _ in range(5):
            await storage.get_static("heroes:en-us")
            await storage.get_player("x")
        rows = await storage._pool.fetch("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in rows]
        assert statements.count(sql.GET_STATIC) == 1
        assert statements.count(sql.GET_PLAYER) == 1
    finally:
        await storage.close()


async def test_warm_up_prepares_every_read_on_the_pool_s_connections_uncounted(
    postgres_url: str,
) -> None:
    operations: list[str] = []
    storage = await PostgresStorage.open(
        postgres_url,
        PoolOptions(min_size=3, max_size=3),
        on_operation=lambda table, operation, *_: operations.append(operation),
    )
    try:
        await storage.warm_up()

        async with contextlib.AsyncExitStack() as stack:  # every connection, each once
            held = [await stack.enter_async_context(storage._pool._pool.acquire()) for _ in "abc"]
            query = "SELECT statement FROM pg_prepared_statements"
            prepared = [{row[0] for row in await conn.fetch(query)} for conn in held]
    finally:
        await storage.close()
    assert all(set(sql.WARM_UP_READS) <= statements for statements in prepared)
    assert operations == []


async def test_a_lost_server_is_unavailable_then_reconnected_without_losing_jobs(
    postgres_server: PostgresProcess, postgres_url: str
) -> None:
    storage = await PostgresStorage.open(postgres_url, PoolOptions(min_size=2, max_size=4))
    try:
        assert await storage.jobs.enqueue("acknowledged", "k", {"n": 1}, run_at=0)
        await storage.put_static(make_static())
        postgres_server.stop(cleanup=False)
        started = time.monotonic()
        with pytest.raises(StorageUnavailableError):
            await storage.get_static("heroes:en-us")
        with pytest.raises(StorageUnavailableError):
            await storage.jobs.claim("w#1", lease_seconds=60, now=1)
        assert time.monotonic() - started < 15  # fails fast, no hang
        postgres_server.start()
        # The same storage object, no reopening: the pool reconnects by itself.
        assert await storage.get_static("heroes:en-us") == make_static()
        job = await storage.jobs.claim("w#1", lease_seconds=60, now=1)
        assert job is not None
        assert (job.key, job.payload) == ("acknowledged", {"n": 1})
    finally:
        if not postgres_server.running:
            postgres_server.start()
        await storage.close()


async def test_a_restarted_server_is_invisible_to_the_next_call(
    postgres_server: PostgresProcess, postgres_url: str
) -> None:
    storage = await PostgresStorage.open(postgres_url, PoolOptions(min_size=3, max_size=3))
    try:
        await storage.put_static(make_static())
        postgres_server.restart()  # every pooled connection is now dead
        for _ in range(3):
            assert await storage.get_static("heroes:en-us") == make_static()
    finally:
        await storage.close()
