"""`JobQueue` in a dict: for unit tests of services, and the reference behaviour.

It passes the same conformance suite as `SQLiteJobQueue`: same claim order (expired
leases first, then `run_at`, ties by key), same owner checks, payloads kept as JSON
text so callers never share mutable state, floats where SQLite's REAL columns return
floats. Every method runs without awaiting, so each one is atomic on the event loop.

Example:
    >>> queue = MemoryJobQueue()
    >>> await queue.enqueue("maps:all", "refresh_maps", {}, run_at=0.0)  # doctest: +SKIP
    True
    >>> (await queue.claim("w#1", lease_seconds=60, now=1.0)).attempts  # doctest: +SKIP
    1
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from app.adapters.storage.codec import UnreadableRows, dump_json, load_json_column
from app.ports import JOB_STATES, MAX_ERROR_CHARS, Job, JobState, JSONValue


def _always_open() -> None:
    return None


class MemoryJobQueue:
    def __init__(
        self, ensure_open: Callable[[], None] = _always_open, rows: UnreadableRows | None = None
    ) -> None:
        """`ensure_open` raises once the owning storage is closed (`StorageClosedError`);
        `rows` reports a claimed job that cannot be decoded."""
        self._jobs: dict[str, Job] = {}  # payload held as JSON text
        self._ensure_open = ensure_open
        self._rows = rows or UnreadableRows()

    def snapshot(self) -> dict[str, Job]:
        """A copy to `restore` if a transaction fails (rows are frozen: shallow is enough)."""
        return dict(self._jobs)

    def restore(self, saved: dict[str, Job]) -> None:
        self._jobs = saved

    @staticmethod
    def _public(job: Job) -> Job:
        return replace(job, payload=load_json_column("jobs", job.key, job.payload))

    async def enqueue(self, key: str, kind: str, payload: JSONValue, *, run_at: float) -> bool:
        self._ensure_open()
        text = dump_json(payload)  # first: a TypeError must leave nothing behind
        previous, now = self._jobs.get(key), time.time()
        if previous is not None and previous.state in ("queued", "running"):
            return False
        created = now if previous is None else previous.created_at
        self._jobs[key] = Job(
            key, kind, text, "queued", 0, float(run_at), None, None, None, created, now
        )
        return True

    async def get(self, key: str) -> Job | None:
        self._ensure_open()
        job = self._jobs.get(key)
        return None if job is None else self._public(job)

    async def claim(self, owner: str, *, lease_seconds: float, now: float) -> Job | None:
        async def claim_one() -> Job | None:
            return self._claim_one(owner, lease_seconds, now)

        async def bury(key: str, reason: str) -> bool:
            return await self.fail(key, owner, reason, retry_at=None)

        return await self._rows.readable_claim(claim_one, bury)

    def _claim_one(self, owner: str, lease_seconds: float, now: float) -> Job | None:
        self._ensure_open()
        jobs = self._jobs.values()
        expired = [j for j in jobs if j.state == "running" and (j.lease_until or 0.0) <= now]
        due = [j for j in jobs if j.state == "queued" and j.run_at <= now]
        if expired:
            job = min(expired, key=lambda j: ((j.lease_until or 0.0), j.key))
        elif due:
            job = min(due, key=lambda j: (j.run_at, j.key))
        else:
            return None
        claimed = replace(
            job,
            state="running",
            attempts=job.attempts + 1,
            lease_owner=owner,
            lease_until=float(now + lease_seconds),
            updated_at=time.time(),
        )
        self._jobs[job.key] = claimed
        return self._public(claimed)

    def _leased(self, key: str, owner: str) -> Job | None:
        self._ensure_open()
        job = self._jobs.get(key)
        if job is None or job.state != "running" or job.lease_owner != owner:
            return None
        return job

    async def extend_lease(self, key: str, owner: str, *, lease_seconds: float, now: float) -> bool:
        if (job := self._leased(key, owner)) is None:
            return False
        until = float(now + lease_seconds)
        self._jobs[key] = replace(job, lease_until=until, updated_at=time.time())
        return True

    def _finish(self, job: Job, state: JobState, run_at: float, error: str | None) -> None:
        self._jobs[job.key] = replace(
            job,
            state=state,
            run_at=float(run_at),
            lease_until=None,
            lease_owner=None,
            last_error=error,
            updated_at=time.time(),
        )

    async def complete(self, key: str, owner: str) -> bool:
        if (job := self._leased(key, owner)) is None:
            return False
        self._finish(job, "done", job.run_at, None)
        return True

    async def fail(self, key: str, owner: str, error: str, *, retry_at: float | None) -> bool:
        if (job := self._leased(key, owner)) is None:
            return False
        state: JobState = "dead" if retry_at is None else "queued"
        run_at = job.run_at if retry_at is None else retry_at
        self._finish(job, state, run_at, error[:MAX_ERROR_CHARS])
        return True

    async def counts(self) -> dict[JobState, int]:
        self._ensure_open()
        counts = dict.fromkeys(JOB_STATES, 0)
        for job in self._jobs.values():
            counts[job.state] += 1
        return counts

    async def purge_done(self, older_than: float) -> int:
        return self._purge("done", older_than)

    async def purge_dead(self, older_than: float) -> int:
        return self._purge("dead", older_than)

    def _purge(self, state: JobState, older_than: float) -> int:
        self._ensure_open()
        old = [k for k, j in self._jobs.items() if j.state == state and j.updated_at < older_than]
        for key in old:
            del self._jobs[key]
        return len(old)
