"""`JobQueue` and the outbox transaction on the SQLite file (table `jobs`, migration 2).

Both share the storage's `SQLitePool`: every change runs on its single writer inside
`BEGIN IMMEDIATE`, so a claim is atomic across processes (the app and `owdata worker`
opening the same file), and a record and its refresh job commit together.

Example:
    >>> storage = await SQLiteStorage.open("data/owdata.db")  # doctest: +SKIP
    >>> await storage.jobs.enqueue("maps:all", "refresh_maps", {}, run_at=time.time())
    True
    >>> async with storage.transaction() as tx:
    ...     tx.put_static(record)
    ...     tx.enqueue(record.key, "refresh_heroes", {}, run_at=time.time())
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Any, cast

from app.adapters.storage import sqlite_rows as sql
from app.adapters.storage.codec import UnreadableRows, dump_json, load_json_column
from app.adapters.storage.outbox import JobSpec, PendingWrites
from app.adapters.storage.sqlite_pool import SQLitePool
from app.ports import JOB_STATES, MAX_ERROR_CHARS, Job, JobState, JSONValue

_COLUMNS = """key, kind, payload, state, attempts, run_at, lease_until, lease_owner,
    last_error, created_at, updated_at"""

GET = f"SELECT {_COLUMNS} FROM jobs WHERE key = ?"

# The WHERE of DO UPDATE is the deduplication: a queued or running row is left as it is
# (rowcount 0), a finished one is re-armed.
ENQUEUE = """
INSERT INTO jobs (key, kind, payload, state, attempts, run_at, created_at, updated_at)
VALUES (:key, :kind, :payload, 'queued', 0, :run_at, :now, :now)
ON CONFLICT (key) DO UPDATE SET
    kind = excluded.kind, payload = excluded.payload, state = 'queued', attempts = 0,
    run_at = excluded.run_at, lease_until = NULL, lease_owner = NULL, last_error = NULL,
    updated_at = excluded.updated_at
WHERE jobs.state IN ('done', 'dead')
"""

# One statement picks and leases: abandoned runs first (their worker died; there are at
# most as many running rows as workers), then the most overdue queued job, which the
# (state, run_at, key) index yields without sorting.
CLAIM = f"""
UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = :owner,
    lease_until = :until, updated_at = :wall
WHERE key = COALESCE(
    (SELECT key FROM jobs WHERE state = 'running' AND lease_until <= :now
     ORDER BY lease_until, key LIMIT 1),
    (SELECT key FROM jobs WHERE state = 'queued' AND run_at <= :now
     ORDER BY run_at, key LIMIT 1))
RETURNING {_COLUMNS}
"""

_LEASED = "key = :key AND state = 'running' AND lease_owner = :owner"
EXTEND = f"UPDATE jobs SET lease_until = :until, updated_at = :wall WHERE {_LEASED}"
COMPLETE = f"""UPDATE jobs SET state = 'done', lease_until = NULL, lease_owner = NULL,
    last_error = NULL, updated_at = :wall WHERE {_LEASED}"""
FAIL = f"""UPDATE jobs SET state = :state, run_at = COALESCE(:retry_at, run_at),
    lease_until = NULL, lease_owner = NULL, last_error = :error, updated_at = :wall
WHERE {_LEASED}"""
COUNTS = "SELECT state, COUNT(*) FROM jobs GROUP BY state"
PURGE = "DELETE FROM jobs WHERE state = ? AND updated_at < ?"


def enqueue_params(spec: JobSpec, now: float) -> dict[str, Any]:
    # Encoded before the transaction starts: a non-JSON payload fails with nothing written.
    return {**asdict(spec), "payload": dump_json(spec.payload), "now": now}


def job_from_row(row: Any) -> Job:
    key, kind, payload, state, attempts, run_at, lease_until, owner, error, created, updated = row
    # float(): RETURNING hands back an integral REAL that the UPDATE did not touch as an int.
    lease = None if lease_until is None else float(lease_until)
    payload = load_json_column("jobs", key, payload)
    return Job(
        key, kind, payload, state, attempts, float(run_at), lease, owner, error, created, updated
    )


class SQLiteJobQueue:
    """Implements `app.ports.JobQueue`; get one from `SQLiteStorage.jobs`."""

    def __init__(self, pool: SQLitePool, rows: UnreadableRows | None = None) -> None:
        self._pool = pool
        self._rows = rows or UnreadableRows()  # a claimed job that cannot be decoded

    async def _write(self, query: str, params: dict[str, Any]) -> bool:
        async with self._pool.transaction() as conn:
            cursor = await conn.execute(query, {**params, "wall": time.time()})
            return cursor.rowcount == 1

    async def enqueue(self, key: str, kind: str, payload: JSONValue, *, run_at: float) -> bool:
        params = enqueue_params(JobSpec(key, kind, payload, run_at), time.time())
        return await self._write(ENQUEUE, params)

    async def get(self, key: str) -> Job | None:
        async with self._pool.reader() as conn:
            rows = list(await conn.execute_fetchall(GET, (key,)))
        return job_from_row(rows[0]) if rows else None

    async def claim(self, owner: str, *, lease_seconds: float, now: float) -> Job | None:
        async def claim_one() -> Job | None:
            until, wall = now + lease_seconds, time.time()
            params = {"owner": owner, "until": until, "now": now, "wall": wall}
            async with self._pool.transaction() as conn:
                # execute_fetchall steps the statement to its end before the commit.
                rows = list(await conn.execute_fetchall(CLAIM, params))
            return job_from_row(rows[0]) if rows else None

        async def bury(key: str, reason: str) -> bool:
            return await self.fail(key, owner, reason, retry_at=None)

        return await self._rows.readable_claim(claim_one, bury)

    async def extend_lease(self, key: str, owner: str, *, lease_seconds: float, now: float) -> bool:
        return await self._write(EXTEND, {"key": key, "owner": owner, "until": now + lease_seconds})

    async def complete(self, key: str, owner: str) -> bool:
        return await self._write(COMPLETE, {"key": key, "owner": owner})

    async def fail(self, key: str, owner: str, error: str, *, retry_at: float | None) -> bool:
        state = "dead" if retry_at is None else "queued"
        params = {"state": state, "retry_at": retry_at, "error": error[:MAX_ERROR_CHARS]}
        return await self._write(FAIL, {"key": key, "owner": owner, **params})

    async def counts(self) -> dict[JobState, int]:
        async with self._pool.reader() as conn:
            rows = await conn.execute_fetchall(COUNTS)
        found = {cast(JobState, state): count for state, count in rows}
        return {state: found.get(state, 0) for state in JOB_STATES}

    async def purge_done(self, older_than: float) -> int:
        return await self._purge("done", older_than)

    async def purge_dead(self, older_than: float) -> int:
        return await self._purge("dead", older_than)

    async def _purge(self, state: JobState, older_than: float) -> int:
        async with self._pool.transaction() as conn:
            return (await conn.execute(PURGE, (state, older_than))).rowcount


@contextlib.asynccontextmanager
async def outbox_transaction(pool: SQLitePool) -> AsyncIterator[PendingWrites]:
    """Yield a `PendingWrites`; if the block succeeds, apply it in one transaction."""
    pool.ensure_open()
    pending = PendingWrites()
    yield pending
    now = time.time()
    writes: list[tuple[str, dict[str, Any] | tuple[str]]] = []
    for record in pending.statics:  # compressed here, before the write lock is taken
        writes.append((sql.PUT_STATIC, await sql.static_params(record, now=now)))
    for player in pending.players:
        player_params = await sql.player_params(player, now=now)
        writes += [(sql.PUT_PLAYER, player_params), (sql.DELETE_MOVED_PLAYER, player_params)]
    writes.extend((sql.PUT_UNKNOWN, asdict(status)) for status in pending.unknowns)
    writes.extend((sql.DELETE_UNKNOWN, (key,)) for key in pending.cleared_unknowns)
    jobs = [(spec.key, enqueue_params(spec, now)) for spec in pending.jobs]
    async with pool.transaction() as conn:
        for query, write_params in writes:
            await conn.execute(query, write_params)
        queued = [key for key, params in jobs if (await conn.execute(ENQUEUE, params)).rowcount]
    pending.enqueued.extend(queued)
