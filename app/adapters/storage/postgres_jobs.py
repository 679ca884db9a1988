"""`JobQueue` and the outbox transaction on PostgreSQL (table `jobs`, migration 2).

The same semantics as `sqlite_jobs`, for many processes on many hosts: `claim` picks
its row with `FOR UPDATE SKIP LOCKED`, so concurrent runners never wait for each other
nor take the same job; a record and its refresh job commit in one transaction.

Example:
    >>> storage = await PostgresStorage.open("postgresql://owdata@db/owdata")  # doctest: +SKIP
    >>> await storage.jobs.enqueue("maps:all", "refresh_maps", {}, run_at=time.time())
    True
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any, cast

from app.adapters.storage import postgres_sql as sql
from app.adapters.storage.codec import UnreadableRows, dump_json, load_json_column
from app.adapters.storage.outbox import JobSpec, PendingWrites
from app.adapters.storage.postgres_pool import Connection, PostgresPool, affected
from app.ports import JOB_STATES, MAX_ERROR_CHARS, Job, JobState, JSONValue

_COLUMNS = """jobs.key, jobs.kind, jobs.payload, jobs.state, jobs.attempts, jobs.run_at,
    jobs.lease_until, jobs.lease_owner, jobs.last_error, jobs.created_at, jobs.updated_at"""

GET = f"SELECT {_COLUMNS} FROM jobs WHERE key = $1"

# A queued or running row is left as it is (nothing returned), a finished one re-armed.
ENQUEUE = """
INSERT INTO jobs (key, kind, payload, state, attempts, run_at, created_at, updated_at)
VALUES ($1, $2, $3, 'queued', 0, $4, $5, $5)
ON CONFLICT (key) DO UPDATE SET
    kind = excluded.kind, payload = excluded.payload, state = 'queued', attempts = 0,
    run_at = excluded.run_at, lease_until = NULL, lease_owner = NULL, last_error = NULL,
    updated_at = excluded.updated_at
WHERE jobs.state IN ('done', 'dead')
RETURNING 1
"""

# Abandoned runs first, then the most overdue queued job (COALESCE evaluates the second
# subquery only when the first found nothing). SKIP LOCKED: a row another runner is
# claiming right now is passed over instead of waited for.
CLAIM = f"""
UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1,
    lease_until = $2, updated_at = $4
WHERE key = COALESCE(
    (SELECT key FROM jobs WHERE state = 'running' AND lease_until <= $3
     ORDER BY lease_until, key LIMIT 1 FOR UPDATE SKIP LOCKED),
    (SELECT key FROM jobs WHERE state = 'queued' AND run_at <= $3
     ORDER BY run_at, key LIMIT 1 FOR UPDATE SKIP LOCKED))
RETURNING {_COLUMNS}
"""

_LEASED = "key = $1 AND state = 'running' AND lease_owner = $2"
EXTEND = f"UPDATE jobs SET lease_until = $3, updated_at = $4 WHERE {_LEASED}"
COMPLETE = f"""UPDATE jobs SET state = 'done', lease_until = NULL, lease_owner = NULL,
    last_error = NULL, updated_at = $3 WHERE {_LEASED}"""
FAIL = f"""UPDATE jobs SET state = $3, run_at = COALESCE($4, run_at),
    lease_until = NULL, lease_owner = NULL, last_error = $5, updated_at = $6
WHERE {_LEASED}"""
COUNTS = "SELECT state, COUNT(*) FROM jobs GROUP BY state"
PURGE = "DELETE FROM jobs WHERE state = $1 AND updated_at < $2"


def enqueue_args(spec: JobSpec, now: float) -> tuple[Any, ...]:
    # Encoded before any statement runs: a non-JSON payload or a time that is no number
    # fails (TypeError, ValueError) with nothing written, as in the other adapters.
    return (sql.b(spec.key), spec.kind, dump_json(spec.payload), float(spec.run_at), now)


def job_from_row(row: Any) -> Job:
    key_blob, kind, payload, state, attempts, run_at, lease, owner, error, created, updated = row
    key = sql.ss("jobs", key_blob)
    payload = load_json_column("jobs", key, payload)
    return Job(key, kind, payload, state, attempts, run_at, lease, owner, error, created, updated)


def _text(value: str) -> str:
    """PostgreSQL text cannot hold U+0000 (an exception message might)."""
    return value.replace("\x00", "\ufffd")


class PostgresJobQueue:
    """Implements `app.ports.JobQueue`; get one from `PostgresStorage.jobs`."""

    def __init__(self, pool: PostgresPool, rows: UnreadableRows | None = None) -> None:
        self._pool = pool
        self._rows = rows or UnreadableRows()  # a claimed job that cannot be decoded

    async def enqueue(self, key: str, kind: str, payload: JSONValue, *, run_at: float) -> bool:
        args = enqueue_args(JobSpec(key, kind, payload, run_at), time.time())
        return await self._pool.run(lambda conn: conn.fetchval(ENQUEUE, *args)) is not None

    async def get(self, key: str) -> Job | None:
        row = await self._pool.fetchrow(GET, sql.b(key))
        return None if row is None else job_from_row(row)

    async def claim(self, owner: str, *, lease_seconds: float, now: float) -> Job | None:
        async def claim_one() -> Job | None:
            args = (_text(owner), now + lease_seconds, now, time.time())
            row = await self._pool.fetchrow(CLAIM, *args)
            return None if row is None else job_from_row(row)

        async def bury(key: str, reason: str) -> bool:
            return await self.fail(key, owner, reason, retry_at=None)

        return await self._rows.readable_claim(claim_one, bury)

    async def extend_lease(self, key: str, owner: str, *, lease_seconds: float, now: float) -> bool:
        args = (sql.b(key), _text(owner), now + lease_seconds, time.time())
        return affected(await self._pool.execute(EXTEND, *args)) == 1

    async def complete(self, key: str, owner: str) -> bool:
        status = await self._pool.execute(COMPLETE, sql.b(key), _text(owner), time.time())
        return affected(status) == 1

    async def fail(self, key: str, owner: str, error: str, *, retry_at: float | None) -> bool:
        state = "dead" if retry_at is None else "queued"
        message = _text(error[:MAX_ERROR_CHARS])
        args = (sql.b(key), _text(owner), state, retry_at, message, time.time())
        return affected(await self._pool.execute(FAIL, *args)) == 1

    async def counts(self) -> dict[JobState, int]:
        rows = await self._pool.fetch(COUNTS)
        found = {cast(JobState, state): count for state, count in rows}
        return {state: found.get(state, 0) for state in JOB_STATES}

    async def purge_done(self, older_than: float) -> int:
        return affected(await self._pool.execute(PURGE, "done", older_than))

    async def purge_dead(self, older_than: float) -> int:
        return affected(await self._pool.execute(PURGE, "dead", older_than))


@contextlib.asynccontextmanager
async def outbox_transaction(pool: PostgresPool) -> AsyncIterator[PendingWrites]:
    """Yield a `PendingWrites`; if the block succeeds, apply it in one transaction."""
    pool.ensure_open()
    pending = PendingWrites()
    yield pending
    now = time.time()
    writes: list[tuple[str, tuple[Any, ...]]] = []
    for record in pending.statics:  # compressed here, before the transaction starts
        writes.append((sql.PUT_STATIC, await sql.static_args(record, now=now)))
    for player in pending.players:
        args = await sql.player_args(player, now=now)
        writes += [(sql.PUT_PLAYER, args), (sql.DELETE_MOVED_PLAYER, sql.moved_args(args))]
    writes.extend((sql.PUT_UNKNOWN, sql.unknown_args(status)) for status in pending.unknowns)
    if pending.cleared_unknowns:
        cleared = [sql.b(key) for key in pending.cleared_unknowns]
        writes.append((sql.DELETE_UNKNOWN, (cleared,)))
    jobs = [(spec.key, enqueue_args(spec, now)) for spec in pending.jobs]

    async def apply(conn: Connection) -> list[str]:
        for query, args in writes:
            await conn.execute(query, *args)
        return [key for key, args in jobs if await conn.fetchval(ENQUEUE, *args) is not None]

    pending.enqueued.extend(await pool.transaction(apply))
