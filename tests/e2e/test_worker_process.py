"""`owdata worker` as a real process: it runs queued refreshes, and a worker killed in
the middle of a job leaves it to be run again, to completion exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from app.adapters.storage.sqlite import SQLiteStorage
from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from app.main import create_app
from tests.e2e.conftest import eventually

JOB_KEY = "static:roles:en-us"


@contextmanager
def worker(settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "BLIZZARD_HOST": settings.blizzard_host,
        "STORAGE_PATH": str(settings.storage_path),
        "THROTTLE_START_DELAY": "0",
        "THROTTLE_MIN_DELAY": "0",
        "WORKER_LEASE_SECONDS": "1",
        "ROLES_STALENESS_THRESHOLD": str(settings.roles_staleness_threshold),
        "WORKER_POLL_INTERVAL": "0.05",
        "WORKER_METRICS_PORT": "0",  # any free port: tests run beside other processes
        "LOG_LEVEL": "warning",
    }
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], env=env)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=15)


async def queue_a_refresh(settings: Settings) -> None:
    """Serve `/roles`, let it go stale, serve it again: a refresh job is queued."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            assert (await http.get("/roles")).status_code == 200
            await asyncio.sleep(1.1)
            stale = await http.get("/roles")
            assert stale.headers["x-cache-status"] == "stale"


async def job_state(settings: Settings) -> tuple[str, int] | None:
    storage = await SQLiteStorage.open(settings.storage_path)
    try:
        job = await storage.jobs.get(JOB_KEY)
        return None if job is None else (job.state, job.attempts)
    finally:
        await storage.close()


def app_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "jobs_in_process": False,
            "roles_staleness_threshold": 1,
            "heroes_path_cache_timeout": 1,
        }
    )


async def test_worker_runs_queued_refreshes(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    settings = app_settings(settings)
    await queue_a_refresh(settings)
    assert await job_state(settings) == ("queued", 0)
    upstream.app.reset()

    async def done() -> bool:
        return await job_state(settings) == ("done", 1)

    with worker(settings):
        await eventually(done, within=30)

    assert upstream.app.calls["/en-us/"] == 1


async def test_a_worker_killed_mid_job_leaves_it_to_run_again_exactly_once(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    settings = app_settings(settings)
    await queue_a_refresh(settings)
    upstream.app.reset()
    upstream.app.delay = 10.0  # the first worker's fetch hangs…

    async def fetch_started() -> bool:
        return upstream.app.calls["/en-us/"] == 1

    with worker(settings) as first:
        await eventually(fetch_started, within=30)
        first.kill()  # …and the worker dies in the middle of the job
        first.wait()
    assert await job_state(settings) == ("running", 1)
    upstream.app.delay = 0.0

    async def done() -> bool:
        state = await job_state(settings)
        return state is not None and state[0] == "done"

    with worker(settings):
        await eventually(done, within=30)
        await asyncio.sleep(0.5)  # room for a (wrong) second completion

    assert await job_state(settings) == ("done", 2)
    assert upstream.app.calls["/en-us/"] == 2
