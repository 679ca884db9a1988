"""What only the SQLite queue promises: migration 2, index use, durability across restarts,
several processes on one file (each job run once), and recovery from a killed worker."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from app.adapters.storage.migrations import MIGRATIONS
from app.adapters.storage.sqlite import SQLiteStorage
from app.ports import Job
from app.services.jobs import JobPolicy, JobRunner

from . import crash_worker
from .conftest import T0, eventually, running

REPO_ROOT = Path(__file__).resolve().parents[3]


def query(path: Path, sql: str, *params: Any) -> list[Any]:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "owdata.db"


class TestSchema:
    async def test_v1_database_gains_the_jobs_table(self, db_path: Path) -> None:
        assert isinstance(MIGRATIONS[0], str)
        with closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
            conn.executescript(MIGRATIONS[0])
            conn.execute("PRAGMA user_version = 1")
            conn.execute("INSERT INTO unknown_players VALUES ('Old-1', 3, 10.0, 5.0)")
        storage = await SQLiteStorage.open(db_path)
        try:
            assert await storage.count_unknown_players() == 1
            assert await storage.jobs.enqueue("k", "a", None, run_at=T0)
        finally:
            await storage.close()
        assert query(db_path, "PRAGMA user_version") == [(len(MIGRATIONS),)]

    async def test_state_is_checked(self, db_path: Path) -> None:
        await (await SQLiteStorage.open(db_path)).close()
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            query(
                db_path,
                "INSERT INTO jobs VALUES "
                "('k', 'a', 'null', 'lost', 0, 1.0, NULL, NULL, NULL, 1.0, 1.0)",
            )

    async def test_claim_reads_the_index_without_sorting(self, db_path: Path) -> None:
        await (await SQLiteStorage.open(db_path)).close()
        plan = query(
            db_path,
            "EXPLAIN QUERY PLAN SELECT key FROM jobs WHERE state = 'queued' AND run_at <= 1.0 "
            "ORDER BY run_at, key LIMIT 1",
        )
        details = " | ".join(row[3] for row in plan)
        assert "idx_jobs_state_run_at" in details
        assert "TEMP B-TREE" not in details


async def test_jobs_survive_a_restart(db_path: Path) -> None:
    storage = await SQLiteStorage.open(db_path)
    await storage.jobs.enqueue("queued", "a", {"p": 1}, run_at=T0)
    await storage.jobs.enqueue("running", "a", None, run_at=T0 - 1)
    await storage.jobs.claim("w#1", lease_seconds=60, now=T0)
    await storage.close()
    reopened = await SQLiteStorage.open(db_path)
    try:
        assert await reopened.jobs.counts() == {"queued": 1, "running": 1, "done": 0, "dead": 0}
        assert (await reopened.jobs.claim("w#2", lease_seconds=60, now=T0 + 1)).key == "queued"  # type: ignore[union-attr]
        job = await reopened.jobs.claim("w#3", lease_seconds=60, now=T0 + 60)
        assert job is not None  # the restarted process takes over the dead one's run
        assert (job.key, job.attempts) == ("running", 2)
    finally:
        await reopened.close()


async def test_two_processes_run_each_job_exactly_once(db_path: Path) -> None:
    # Two storages on one file stand for the app and `owdata worker`: separate writers.
    app, worker = [await SQLiteStorage.open(db_path, busy_timeout_ms=10_000) for _ in "ab"]
    runs: collections.Counter[str] = collections.Counter()
    by_runner: collections.Counter[str] = collections.Counter()
    in_flight: set[str] = set()
    overlaps: list[str] = []

    def handler_for(name: str) -> Any:
        async def handler(job: Job) -> None:
            if job.key in in_flight:
                overlaps.append(job.key)
            in_flight.add(job.key)
            await asyncio.sleep(0.005)
            in_flight.discard(job.key)
            runs[job.key] += 1
            by_runner[name] += 1

        return handler

    policy = JobPolicy(concurrency=4, poll_interval=0.01, lease_seconds=5.0)
    runners = [JobRunner(s.jobs, policy, name=n) for s, n in [(app, "app"), (worker, "worker")]]
    for runner in runners:
        runner.register("refresh", handler_for(runner.name))
    try:
        for i in range(50):
            await (app if i % 2 else worker).jobs.enqueue(
                f"player:{i}", "refresh", {"i": i}, run_at=0.0
            )
        async with running(*runners):
            await eventually(lambda: sum(runs.values()) >= 50, within=30)
            await asyncio.sleep(0.1)  # a duplicate run would show up here
        assert runs == {f"player:{i}": 1 for i in range(50)}
        assert overlaps == []
        assert set(by_runner) == {"app", "worker"}  # both really competed for the jobs
        assert await app.jobs.counts() == {"queued": 0, "running": 0, "done": 50, "dead": 0}
    finally:
        await app.close()
        await worker.close()


async def read_lines(path: Path) -> list[str]:
    def read() -> list[str]:
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []

    return await asyncio.to_thread(read)


async def line_count_is(path: Path, count: int) -> bool:
    return len(await read_lines(path)) == count


async def test_killed_worker_job_runs_again_exactly_once(db_path: Path, tmp_path: Path) -> None:
    log = tmp_path / "side-effects.log"
    storage = await SQLiteStorage.open(db_path, busy_timeout_ms=10_000)
    await storage.jobs.enqueue("player:abc|123", crash_worker.KIND, None, run_at=time.time())
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.jobs.crash_worker",
        str(db_path),
        str(log),
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    runner = JobRunner(storage.jobs, crash_worker.POLICY, name="survivor")

    async def completing(job: Job) -> None:
        await crash_worker.handler(job, log, hang=False)

    runner.register(crash_worker.KIND, completing)
    try:
        await eventually(lambda: read_lines(log), within=30)
        async with running(runner):
            # Both processes run: the child renews its lease, so ours must not take the job.
            await asyncio.sleep(crash_worker.LEASE_SECONDS + 0.5)  # past one lease
            assert await read_lines(log) == [f"started {child.pid}"]
            child.send_signal(signal.SIGKILL)
            _, stderr = await child.communicate()
            assert child.returncode == -signal.SIGKILL, stderr.decode()
            killed_at = time.time()
            await eventually(lambda: line_count_is(log, 3), within=15)
        job = await storage.jobs.get("player:abc|123")
        assert job is not None
        assert (job.state, job.attempts, job.lease_owner) == ("done", 2, None)
        assert time.time() - killed_at < 10
        me = os.getpid()
        assert await read_lines(log) == [f"started {child.pid}", f"started {me}", f"completed {me}"]
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
        await storage.close()
