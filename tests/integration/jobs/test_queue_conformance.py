"""One suite every `JobQueue` adapter must pass: SQLite (file and `:memory:`) and in-memory.

Each test runs once per adapter through the `storage` fixture (see `conftest.py`), so a
behaviour that differs between adapters fails here.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from app.adapters.storage.errors import StorageClosedError
from app.ports import MAX_ERROR_CHARS, OutboxStorage
from tests.integration.storage.conftest import damage

from .conftest import T0

LEASE = 60.0


async def claim(storage: OutboxStorage, owner: str = "w#1", now: float = T0) -> Any:
    return await storage.jobs.claim(owner, lease_seconds=LEASE, now=now)


class TestEnqueue:
    async def test_new_job_is_queued(self, storage: OutboxStorage) -> None:
        assert await storage.jobs.enqueue("hero:ana:en-us", "refresh_hero", {"l": 1}, run_at=T0)
        job = await storage.jobs.get("hero:ana:en-us")
        assert job is not None
        assert (job.kind, job.payload, job.state, job.attempts) == (
            "refresh_hero",
            {"l": 1},
            "queued",
            0,
        )
        assert (job.run_at, job.lease_until, job.lease_owner, job.last_error) == (
            T0,
            None,
            None,
            None,
        )
        assert isinstance(job.run_at, float)
        assert job.created_at == job.updated_at

    async def test_missing_job_is_none(self, storage: OutboxStorage) -> None:
        assert await storage.jobs.get("nothing") is None

    async def test_queued_key_is_not_duplicated(self, storage: OutboxStorage) -> None:
        assert await storage.jobs.enqueue("k", "a", {"v": 1}, run_at=T0 + 100)
        assert not await storage.jobs.enqueue("k", "b", {"v": 2}, run_at=T0)
        job = await storage.jobs.get("k")
        assert job is not None  # untouched: a backed-off retry is not brought forward
        assert (job.kind, job.payload, job.run_at) == ("a", {"v": 1}, T0 + 100)
        assert (await storage.jobs.counts())["queued"] == 1

    async def test_running_key_is_not_duplicated(self, storage: OutboxStorage) -> None:
        await storage.jobs.enqueue("k", "a", None, run_at=T0)
        await claim(storage)
        assert not await storage.jobs.enqueue("k", "a", None, run_at=T0)
        job = await storage.jobs.get("k")
        assert job is not None
        assert (job.state, job.lease_owner) == ("running", "w#1")

    @pytest.mark.parametrize("end", ["done", "dead"])
    async def test_finished_job_is_rearmed(self, storage: OutboxStorage, end: str) -> None:
        await storage.jobs.enqueue("k", "a", {"v": 1}, run_at=T0)
        await claim(storage)
        if end == "done":
            await storage.jobs.complete("k", "w#1")
        else:
            await storage.jobs.fail("k", "w#1", "boom", retry_at=None)
        created = (await storage.jobs.get("k")).created_at  # type: ignore[union-attr]
        assert await storage.jobs.enqueue("k", "b", {"v": 2}, run_at=T0 + 5)
        job = await storage.jobs.get("k")
        assert job is not None
        assert (job.kind, job.payload, job.state, job.attempts) == ("b", {"v": 2}, "queued", 0)
        assert (job.run_at, job.last_error, job.lease_owner) == (T0 + 5, None, None)
        assert job.created_at == created

    async def test_payloads_are_copies(self, storage: OutboxStorage) -> None:
        payload: dict[str, Any] = {"list": [1, (2, 3)], "text": "Ана 🙂"}
        await storage.jobs.enqueue("k", "a", payload, run_at=T0)
        payload["list"].append(4)
        job = await storage.jobs.get("k")
        assert job is not None
        assert job.payload == {"list": [1, [2, 3]], "text": "Ана 🙂"}
        job.payload["list"].clear()
        assert (await storage.jobs.get("k")).payload["list"] == [1, [2, 3]]  # type: ignore[union-attr]

    async def test_non_json_payload_writes_nothing(self, storage: OutboxStorage) -> None:
        with pytest.raises(TypeError):
            await storage.jobs.enqueue("k", "a", {"x": object()}, run_at=T0)
        assert await storage.jobs.get("k") is None


class TestClaim:
    async def test_nothing_due(self, storage: OutboxStorage) -> None:
        assert await claim(storage) is None
        await storage.jobs.enqueue("later", "a", None, run_at=T0 + 1)
        assert await claim(storage) is None

    async def test_claim_leases_the_job(self, storage: OutboxStorage) -> None:
        await storage.jobs.enqueue("k", "a", {"p": 1}, run_at=T0)
        job = await claim(storage, "w#7", now=T0 + 3)
        assert job is not None
        assert (job.key, job.kind, job.payload, job.state) == ("k", "a", {"p": 1}, "running")
        assert (job.attempts, job.lease_owner, job.lease_until) == (1, "w#7", T0 + 3 + LEASE)
        assert await storage.jobs.get("k") == job
        assert await claim(storage, "w#8", now=T0 + 3) is None  # leased: nobody else gets it

    async def test_times_are_floats(self, storage: OutboxStorage) -> None:
        # Integral REAL values: SQLite's RETURNING would hand back ints if not converted.
        await storage.jobs.enqueue("k", "a", None, run_at=0)
        job = await storage.jobs.claim("w#1", lease_seconds=60, now=0)
        assert job is not None
        times = (job.run_at, job.lease_until, job.created_at, job.updated_at)
        assert times[:2] == (0.0, 60.0)
        assert all(isinstance(value, float) for value in times)

    async def test_most_overdue_first_ties_by_key(self, storage: OutboxStorage) -> None:
        for key, run_at in [("c", T0), ("a", T0 + 2), ("b", T0), ("d", T0 + 1), ("e", T0 + 9)]:
            await storage.jobs.enqueue(key, "k", None, run_at=run_at)
        keys = [(await claim(storage, now=T0 + 5)).key for _ in range(4)]
        assert keys == ["b", "c", "d", "a"]
        assert await claim(storage, now=T0 + 5) is None

    async def test_expired_lease_is_reclaimed_first(self, storage: OutboxStorage) -> None:
        await storage.jobs.enqueue("crashed", "a", None, run_at=T0 + 1)
        await claim(storage, "dead-worker#1", now=T0 + 1)
        await storage.jobs.enqueue("waiting", "a", None, run_at=T0)
        assert (await claim(storage, "w#2", now=T0 + LEASE)).key == "waiting"
        # At lease_until the lease is over: the job goes to the next worker, attempt 2.
        job = await claim(storage, "w#3", now=T0 + 1 + LEASE)
        assert job is not None
        assert (job.key, job.attempts, job.lease_owner) == ("crashed", 2, "w#3")

    async def test_extend_lease_keeps_the_job(self, storage: OutboxStorage) -> None:
        await storage.jobs.enqueue("k", "a", None, run_at=T0)
        await claim(storage, "w#1")
        assert await storage.jobs.extend_lease("k", "w#1", lease_seconds=LEASE, now=T0 + 50)
        assert await claim(storage, "w#2", now=T0 + LEASE + 1) is None
        assert (await storage.jobs.get("k")).lease_until == T0 + 50 + LEASE  # type: ignore[union-attr]
        assert not await storage.jobs.extend_lease("k", "w#2", lease_seconds=LEASE, now=T0)
        assert not await storage.jobs.extend_lease("nothing", "w#1", lease_seconds=LEASE, now=T0)

    async def test_an_unreadable_job_is_buried_and_the_next_one_claimed(
        self, storage: OutboxStorage, decode_errors: list[str]
    ) -> None:
        await storage.jobs.enqueue("damaged", "a", {"v": 1}, run_at=T0 - 1)
        await storage.jobs.enqueue("sound", "a", {"v": 2}, run_at=T0)
        await damage(storage, "jobs", "damaged", column="payload")

        job = await claim(storage)

        assert job is not None
        assert (job.key, job.payload) == ("sound", {"v": 2})
        assert decode_errors == ["jobs"]  # reported once, as every unreadable row is
        counts = await storage.jobs.counts()
        assert (counts["dead"], counts["running"], counts["queued"]) == (1, 1, 0)
        assert await storage.jobs.complete("sound", "w#1")
        assert await claim(storage, "w#2", now=T0 + 2 * LEASE) is None  # never again


class TestFinish:
    async def test_complete(self, storage: OutboxStorage) -> None:
        await storage.jobs.enqueue("k", "a", None, run_at=T0)
        await claim(storage)
        assert await storage.jobs.complete("k", "w#1")
        job = await storage.jobs.get("k")
        assert job is not None
        assert (job.state, job.attempts, job.lease_owner, job.lease_until) == (
            "done",
            1,
            None,
            None,
        )
        assert not await storage.jobs.complete("k", "w#1")  # no longer running
        assert await claim(storage, now=T0 + 10_000) is None

    async def test_only_the_lease_holder_finishes(self, storage: OutboxStorage) -> None:
        await storage.jobs.enqueue("k", "a", None, run_at=T0)
        await claim(storage, "slow#1")
        await claim(storage, "fast#1", now=T0 + LEASE)  # slow#1's lease expired: taken over
        assert not await storage.jobs.complete("k", "slow#1")
        assert not await storage.jobs.fail("k", "slow#1", "late", retry_at=T0)
        assert not await storage.jobs.fail("k", "slow#1", "late", retry_at=None)
        job = await storage.jobs.get("k")
        assert job is not None
        assert (job.state, job.lease_owner, job.attempts, job.last_error) == (
            "running",
            "fast#1",
            2,
            None,
        )
        assert await storage.jobs.complete("k", "fast#1")
        assert not await storage.jobs.complete("missing", "fast#1")

    async def test_retry_requeues_at_the_given_time(self, storage: OutboxStorage) -> None:
        await storage.jobs.enqueue("k", "a", None, run_at=T0)
        await claim(storage)
        assert await storage.jobs.fail("k", "w#1", "HTTP 500", retry_at=T0 + 30)
        job = await storage.jobs.get("k")
        assert job is not None
        assert (job.state, job.run_at, job.attempts, job.last_error) == (
            "queued",
            T0 + 30,
            1,
            "HTTP 500",
        )
        assert (job.lease_owner, job.lease_until) == (None, None)
        assert await claim(storage, now=T0 + 29) is None
        again = await claim(storage, "w#2", now=T0 + 30)
        assert again is not None
        assert (again.attempts, again.last_error) == (2, "HTTP 500")

    async def test_dead_is_never_claimed(self, storage: OutboxStorage) -> None:
        await storage.jobs.enqueue("k", "a", None, run_at=T0)
        await claim(storage)
        assert await storage.jobs.fail("k", "w#1", "x" * (MAX_ERROR_CHARS + 50), retry_at=None)
        job = await storage.jobs.get("k")
        assert job is not None
        assert (job.state, job.run_at, job.last_error) == ("dead", T0, "x" * MAX_ERROR_CHARS)
        assert await claim(storage, now=T0 + 10**9) is None


class TestBookkeeping:
    async def test_counts_every_state(self, storage: OutboxStorage) -> None:
        assert await storage.jobs.counts() == {"queued": 0, "running": 0, "done": 0, "dead": 0}
        for key in "abcdef":
            await storage.jobs.enqueue(key, "k", None, run_at=T0)
        for owner in ("w#1", "w#2", "w#3"):
            await claim(storage, owner)
        await storage.jobs.complete("a", "w#1")
        await storage.jobs.fail("b", "w#2", "boom", retry_at=None)
        assert await storage.jobs.counts() == {"queued": 3, "running": 1, "done": 1, "dead": 1}

    async def test_purge_done_only_removes_old_done_jobs(self, storage: OutboxStorage) -> None:
        for key in "abc":
            await storage.jobs.enqueue(key, "k", None, run_at=T0)
        for owner in ("w#1", "w#2"):
            await claim(storage, owner)
        await storage.jobs.complete("a", "w#1")
        await storage.jobs.fail("b", "w#2", "boom", retry_at=None)
        # updated_at is wall-clock time: bookkeeping, unlike the scheduling times.
        assert await storage.jobs.purge_done(time.time() - 3600) == 0
        assert await storage.jobs.purge_done(time.time() + 1) == 1
        assert await storage.jobs.get("a") is None
        assert await storage.jobs.counts() == {"queued": 1, "running": 0, "done": 0, "dead": 1}

    async def test_purge_dead_only_removes_old_dead_jobs(self, storage: OutboxStorage) -> None:
        for key in "abcd":
            await storage.jobs.enqueue(key, "k", None, run_at=T0)
        for owner in ("w#1", "w#2", "w#3"):
            await claim(storage, owner)
        await storage.jobs.complete("a", "w#1")
        await storage.jobs.fail("b", "w#2", "boom", retry_at=None)
        await storage.jobs.fail("c", "w#3", "boom", retry_at=T0 + 60)  # queued again
        assert await storage.jobs.purge_dead(time.time() - 3600) == 0
        assert await storage.jobs.purge_dead(time.time() + 1) == 1
        assert await storage.jobs.get("b") is None
        assert await storage.jobs.counts() == {"queued": 2, "running": 0, "done": 1, "dead": 0}
        # A purged key can be queued afresh.
        assert await storage.jobs.enqueue("b", "k", None, run_at=T0)

    async def test_closed_storage_refuses_jobs(self, storage: OutboxStorage) -> None:
        await storage.close()
        with pytest.raises(StorageClosedError):
            await storage.jobs.enqueue("k", "a", None, run_at=T0)
        with pytest.raises(StorageClosedError):
            await claim(storage)
        with pytest.raises(StorageClosedError):
            async with storage.transaction():
                pass
