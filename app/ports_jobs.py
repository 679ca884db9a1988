"""Ports of the durable refresh queue: `JobQueue`, the `Outbox` and storages offering both.

Jobs are rows in storage keyed by the entity they refresh (`hero:ana:en-us`,
`player:<blizzard id>`), so the key is the deduplication: a key already queued or running
is never queued twice, and nothing expires or is wiped at start-up (OverFast's Valkey
list with `SET NX EX` dedup keys lost every queued task on restart).

A job's life: `enqueue` → queued → `claim` → running (with a lease) → `complete` → done,
or `fail` → queued again at `retry_at`, or dead. A running job whose lease expired (its
worker died) is claimed again by anyone. `complete`/`fail` only apply while the caller
still holds the lease, so a worker that lost its lease cannot overwrite a newer run.

Example:
    >>> await queue.enqueue("hero:ana:en-us", "refresh_hero", {"locale": "en-us"},
    ...                     run_at=time.time())  # doctest: +SKIP
    True
    >>> job = await queue.claim("worker-1#1", lease_seconds=60, now=time.time())
    >>> await queue.complete(job.key, "worker-1#1")
    True
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Literal, Protocol

from app.ports import JSONValue, PlayerRecord, StaticRecord, Storage, UnknownPlayer

JobState = Literal["queued", "running", "done", "dead"]
JOB_STATES: tuple[JobState, ...] = ("queued", "running", "done", "dead")

MAX_ERROR_CHARS = 2000
"""`last_error` is cut to this length, so a huge exception text cannot bloat a row."""


@dataclass(frozen=True, slots=True)
class Job:
    """One job row. `attempts` counts claims, so the first run sees `attempts == 1`."""

    key: str
    kind: str
    payload: JSONValue
    state: JobState
    attempts: int
    run_at: float
    lease_until: float | None
    lease_owner: str | None
    last_error: str | None
    created_at: float
    updated_at: float


class JobQueue(Protocol):
    """Durable jobs, deduplicated by key, leased to one worker at a time (across processes)."""

    async def enqueue(self, key: str, kind: str, payload: JSONValue, *, run_at: float) -> bool:
        """Queue a job; False if `key` is already queued or running (left untouched).

        A `done` or `dead` row is re-armed: new kind and payload, attempts back to 0.
        """
        ...

    async def get(self, key: str) -> Job | None: ...

    async def claim(self, owner: str, *, lease_seconds: float, now: float) -> Job | None:
        """Atomically take one due job and lease it to `owner` until `now + lease_seconds`.

        First a running job whose lease expired (its worker died), else the queued job with
        the smallest `run_at <= now` (ties by key). `owner` should be unique per claim (a
        lease token), so two runs in one process cannot be confused either.
        """
        ...

    async def extend_lease(self, key: str, owner: str, *, lease_seconds: float, now: float) -> bool:
        """Push the lease to `now + lease_seconds`; False if `owner` no longer holds the job."""
        ...

    async def complete(self, key: str, owner: str) -> bool:
        """Mark done; False (and no change) unless the job is running under `owner`."""
        ...

    async def fail(self, key: str, owner: str, error: str, *, retry_at: float | None) -> bool:
        """Queue again at `retry_at`, or mark dead when it is None; owner-checked like
        `complete`. `error` is kept in `last_error` for operators."""
        ...

    async def counts(self) -> dict[JobState, int]:
        """Jobs per state, every state present (zeros included), for metrics."""
        ...

    async def purge_done(self, older_than: float) -> int:
        """Delete done jobs last updated before `older_than`; return how many."""
        ...


class Outbox(Protocol):
    """Writes buffered by `OutboxStorage.transaction()`, applied all together or not at all.

    The methods only record: nothing is written (and no lock is held) until the
    `async with` block exits without an exception.
    """

    def put_static(self, record: StaticRecord) -> None: ...

    def put_player(self, record: PlayerRecord) -> None: ...

    def put_unknown_player(self, status: UnknownPlayer) -> None: ...

    def enqueue(self, key: str, kind: str, payload: JSONValue, *, run_at: float) -> None:
        """Same rules as `JobQueue.enqueue`; the keys actually queued are listed in
        `enqueued` after the block."""
        ...

    @property
    def enqueued(self) -> list[str]: ...


class OutboxStorage(Storage, Protocol):
    """A storage holding its own job queue, writing records and jobs atomically.

    Example (serve a stale entry, record the bookkeeping and queue its refresh at once):
        >>> async with storage.transaction() as tx:  # doctest: +SKIP
        ...     tx.put_static(reparsed_record)
        ...     tx.enqueue("heroes:en-us", "refresh_heroes", {}, run_at=now)
    """

    @property
    def jobs(self) -> JobQueue: ...

    def transaction(self) -> AbstractAsyncContextManager[Outbox]: ...
