"""`JobRunner` over every adapter: handlers, retry schedule, dead jobs, timeouts, leases,
concurrency, shutdown, and resilience to failing hooks and queues."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from app.adapters.storage.memory_jobs import MemoryJobQueue
from app.ports import Job, JobQueue, OutboxStorage
from app.services.jobs import JobPolicy, JobRunner, Outcome

from .conftest import T0, FakeClock, eventually, running

FAST = JobPolicy(poll_interval=0.01, lease_seconds=5.0)


class Recorder:
    """A handler recording its calls, failing the first `failures` of them."""

    def __init__(self, failures: int = 0, *, seconds: float = 0.0) -> None:
        self.calls: list[Job] = []
        self.failures = failures
        self.seconds = seconds
        self.cancelled = 0

    async def __call__(self, job: Job) -> None:
        self.calls.append(job)
        try:
            await asyncio.sleep(self.seconds)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        if len(self.calls) <= self.failures:
            raise ValueError(f"boom {len(self.calls)}")


class Finished:
    def __init__(self) -> None:
        self.events: list[tuple[str, Outcome]] = []

    def __call__(self, kind: str, outcome: Outcome, duration: float) -> None:
        assert duration >= 0
        self.events.append((kind, outcome))


async def test_runs_each_job_with_its_kind_handler(storage: OutboxStorage) -> None:
    heroes, players, finished = Recorder(), Recorder(), Finished()
    runner = JobRunner(storage.jobs, FAST, on_finished=finished)
    runner.register("refresh_heroes", heroes)
    runner.register("refresh_player", players)
    await storage.jobs.enqueue("heroes:en-us", "refresh_heroes", {"locale": "en-us"}, run_at=0.0)
    await storage.jobs.enqueue("player:1", "refresh_player", None, run_at=0.0)
    await storage.jobs.enqueue("player:2", "refresh_player", None, run_at=0.0)
    async with running(runner):
        await eventually(lambda: len(finished.events) == 3)
    assert [job.payload for job in heroes.calls] == [{"locale": "en-us"}]
    assert sorted(job.key for job in players.calls) == ["player:1", "player:2"]
    assert (
        sorted(finished.events) == [("refresh_heroes", "done")] + [("refresh_player", "done")] * 2
    )
    assert await storage.jobs.counts() == {"queued": 0, "running": 0, "done": 3, "dead": 0}


def test_retry_delay_doubles_up_to_the_cap() -> None:
    policy = JobPolicy()
    assert (policy.max_attempts, policy.retry_base, policy.retry_cap) == (5, 30.0, 3600.0)
    delays = [policy.retry_delay(attempts) for attempts in range(1, 9)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600]
    assert policy.retry_delay(10_000) == 3600


async def test_failures_back_off_then_the_job_is_dead(storage: OutboxStorage) -> None:
    clock, handler, finished = FakeClock(), Recorder(failures=99), Finished()
    policy = JobPolicy(max_attempts=3, retry_base=30, retry_cap=50, poll_interval=0.01)
    runner = JobRunner(storage.jobs, policy, clock=clock, on_finished=finished)
    runner.register("refresh", handler)
    await storage.jobs.enqueue("k", "refresh", None, run_at=T0)
    async with running(runner):
        for attempt, (delay, outcome) in enumerate([(30, "retry"), (50, "retry"), (0, "dead")], 1):
            await eventually(lambda n=attempt: len(finished.events) == n)  # type: ignore[misc]
            job = await storage.jobs.get("k")
            assert job is not None
            assert finished.events[-1] == ("refresh", outcome)
            assert (job.attempts, job.last_error) == (attempt, f"ValueError: boom {attempt}")
            assert job.state == ("dead" if outcome == "dead" else "queued")
            if delay:
                assert job.run_at == clock.now + delay
                await asyncio.sleep(0.05)
                assert len(handler.calls) == attempt  # not before its retry time
                clock.now = job.run_at
        await asyncio.sleep(0.05)
    assert len(handler.calls) == 3


async def test_success_after_a_retry_clears_the_error(storage: OutboxStorage) -> None:
    clock, handler, finished = FakeClock(), Recorder(failures=1), Finished()
    runner = JobRunner(storage.jobs, FAST, clock=clock, on_finished=finished)
    runner.register("refresh", handler)
    await storage.jobs.enqueue("k", "refresh", None, run_at=T0)
    async with running(runner):
        await eventually(lambda: len(finished.events) == 1)
        clock.now += 30
        await eventually(lambda: len(finished.events) == 2)
    job = await storage.jobs.get("k")
    assert job is not None
    assert (job.state, job.attempts, job.last_error) == ("done", 2, None)
    assert finished.events == [("refresh", "retry"), ("refresh", "done")]


async def test_a_run_past_the_timeout_is_cancelled_and_retried(storage: OutboxStorage) -> None:
    handler, finished = Recorder(seconds=30), Finished()
    runner = JobRunner(
        storage.jobs, JobPolicy(timeout=0.05, poll_interval=0.01), on_finished=finished
    )
    runner.register("refresh", handler)
    await storage.jobs.enqueue("k", "refresh", None, run_at=0.0)
    async with running(runner):
        await eventually(lambda: finished.events)
    job = await storage.jobs.get("k")
    assert job is not None
    assert (job.state, job.last_error, handler.cancelled) == ("queued", "timed out after 0.05 s", 1)


async def test_unknown_kind_fails_like_any_error(storage: OutboxStorage) -> None:
    finished = Finished()
    runner = JobRunner(
        storage.jobs, JobPolicy(max_attempts=1, poll_interval=0.01), on_finished=finished
    )
    await storage.jobs.enqueue("k", "mystery", None, run_at=0.0)
    async with running(runner):
        await eventually(lambda: finished.events)
    job = await storage.jobs.get("k")
    assert job is not None
    assert (job.state, job.last_error) == ("dead", "no handler for kind 'mystery'")


async def test_a_job_whose_workers_keep_dying_is_given_up(storage: OutboxStorage) -> None:
    handler, finished = Recorder(), Finished()
    await storage.jobs.enqueue("poison", "refresh", None, run_at=T0)
    for n in range(2):  # two workers claimed it and died (leases of 1 s, never renewed)
        await storage.jobs.claim(f"crashed#{n}", lease_seconds=1, now=T0 + 2 * n)
    policy = JobPolicy(max_attempts=2, poll_interval=0.01)
    runner = JobRunner(storage.jobs, policy, clock=FakeClock(T0 + 10), on_finished=finished)
    runner.register("refresh", handler)
    async with running(runner):
        await eventually(lambda: finished.events)
    job = await storage.jobs.get("poison")
    assert job is not None
    assert (job.state, job.attempts, handler.calls) == ("dead", 3, [])
    assert job.last_error == "abandoned 2 times by a worker that stopped mid-run"


async def test_the_lease_is_renewed_while_a_long_job_runs(storage: OutboxStorage) -> None:
    started, release, finished = asyncio.Event(), asyncio.Event(), Finished()

    async def slow(job: Job) -> None:
        started.set()
        await release.wait()

    runner = JobRunner(
        storage.jobs, JobPolicy(lease_seconds=0.5, poll_interval=0.01), on_finished=finished
    )
    runner.register("refresh", slow)
    await storage.jobs.enqueue("k", "refresh", None, run_at=0.0)
    async with running(runner):
        await started.wait()
        deadline = time.monotonic() + 1.2  # over two leases
        while time.monotonic() < deadline:
            assert await storage.jobs.claim("other#1", lease_seconds=1, now=time.time()) is None
            await asyncio.sleep(0.05)
        release.set()
        await eventually(lambda: finished.events)
    job = await storage.jobs.get("k")
    assert job is not None
    assert (job.state, job.attempts, finished.events) == ("done", 1, [("refresh", "done")])


async def test_a_lost_lease_cancels_the_handler(storage: OutboxStorage) -> None:
    handler, finished = Recorder(seconds=30), Finished()
    runner = JobRunner(
        storage.jobs, JobPolicy(lease_seconds=0.2, poll_interval=0.01), on_finished=finished
    )
    runner.register("refresh", handler)
    await storage.jobs.enqueue("k", "refresh", None, run_at=0.0)
    async with running(runner):
        await eventually(lambda: handler.calls)
        # As if this process froze past its lease: a worker whose clock is later takes over.
        thief = await storage.jobs.claim("thief#1", lease_seconds=60, now=time.time() + 5)
        assert thief is not None
        await eventually(lambda: finished.events)
    assert (handler.cancelled, finished.events) == (1, [("refresh", "retry")])
    job = await storage.jobs.get("k")
    assert job is not None
    assert (job.state, job.lease_owner, job.last_error) == ("running", "thief#1", None)
    assert await storage.jobs.complete("k", "thief#1")


async def test_no_more_than_concurrency_jobs_at_once(storage: OutboxStorage) -> None:
    active, peak, done = 0, 0, 0

    async def handler(job: Job) -> None:
        nonlocal active, peak, done
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.02)
        active -= 1
        done += 1

    runner = JobRunner(storage.jobs, JobPolicy(concurrency=3, poll_interval=0.01))
    runner.register("refresh", handler)
    for i in range(10):
        await storage.jobs.enqueue(f"k{i}", "refresh", None, run_at=0.0)
    async with running(runner):
        await eventually(lambda: done == 10)
    assert peak == 3


async def test_stop_lets_running_jobs_finish(storage: OutboxStorage) -> None:
    handler = Recorder(seconds=0.1)
    runner = JobRunner(storage.jobs, FAST)
    runner.register("refresh", handler)
    await storage.jobs.enqueue("k", "refresh", None, run_at=0.0)
    async with running(runner):
        await eventually(lambda: handler.calls)
    assert (await storage.jobs.get("k")).state == "done"  # type: ignore[union-attr]


async def test_stop_past_the_grace_hands_the_job_back(storage: OutboxStorage) -> None:
    handler = Recorder(seconds=30)
    policy = JobPolicy(shutdown_grace=0.05, poll_interval=0.01)
    runner = JobRunner(storage.jobs, policy, clock=FakeClock(T0))
    runner.register("refresh", handler)
    await storage.jobs.enqueue("k", "refresh", None, run_at=0.0)
    async with running(runner):
        await eventually(lambda: handler.calls)
    job = await storage.jobs.get("k")
    assert job is not None  # queued again, due now: the next start runs it at once
    assert (job.state, job.run_at, job.last_error, handler.cancelled) == (
        "queued",
        T0,
        "interrupted",
        1,
    )


async def test_a_failing_hook_does_not_stop_the_runner(storage: OutboxStorage) -> None:
    def broken(kind: str, outcome: Outcome, duration: float) -> None:
        raise RuntimeError("metrics bug")

    handler = Recorder()
    runner = JobRunner(storage.jobs, FAST, on_finished=broken)
    runner.register("refresh", handler)
    for key in "ab":
        await storage.jobs.enqueue(key, "refresh", None, run_at=0.0)

    async def all_done() -> bool:
        return (await storage.jobs.counts())["done"] == 2

    async with running(runner):
        await eventually(all_done)
    assert len(handler.calls) == 2


class FlakyQueue(MemoryJobQueue):
    """Claims fail the first `failures` times, as when the file stays locked too long."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def claim(self, owner: str, *, lease_seconds: float, now: float) -> Job | None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("database is locked")
        return await super().claim(owner, lease_seconds=lease_seconds, now=now)


async def test_claim_errors_do_not_stop_the_runner(caplog: pytest.LogCaptureFixture) -> None:
    queue: JobQueue = FlakyQueue(failures=2)
    handler = Recorder()
    runner = JobRunner(queue, FAST)
    runner.register("refresh", handler)
    await queue.enqueue("k", "refresh", None, run_at=0.0)
    async with running(runner):
        await eventually(lambda: handler.calls)
    assert caplog.text.count("claiming a job failed") == 2


def test_runner_names_are_unique() -> None:
    queue: Any = MemoryJobQueue()
    assert JobRunner(queue).name != JobRunner(queue).name
