"""Several `owdata serve` processes sharing one PostgreSQL database (no Valkey): what one
stored, the other answers without asking Blizzard; a refresh job runs once across them,
and a worker killed mid-job leaves it to run again, once. And start-up against a
PostgreSQL that cannot be used: one line naming the setting."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
import pytest

from app.adapters.storage.postgres import PostgresStorage
from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from tests.e2e.conftest import eventually
from tests.e2e.processes import free_port
from tests.e2e.test_worker_process import app_settings, queue_a_refresh, worker
from tests.postgres_server import PostgresProcess

pytestmark = pytest.mark.postgres

ROLES_JOB = "static:roles:en-us"


def environment(database_url: str, upstream: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"VALKEY_URL", "STORAGE_PATH"}}
    return {
        **env,
        "DATABASE_URL": database_url,
        "BLIZZARD_HOST": upstream,
        "THROTTLE_START_DELAY": "0",
        "THROTTLE_MIN_DELAY": "0",
        "WORKER_POLL_INTERVAL": "0.05",
        "LOG_LEVEL": "warning",
        "METRICS_ENABLED": "false",
        **extra,
    }


@contextmanager
def serve(env: dict[str, str]) -> Iterator[str]:
    """An `owdata serve` process; yields its base URL once it answers."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env=env,
        cwd=os.environ.get("TMPDIR", "/tmp"),  # no stray .env file is read
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, f"owdata serve exited with {proc.returncode}"
            try:
                if httpx.get(f"{url}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "owdata serve did not start"
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


async def test_two_hosts_share_profiles_and_run_each_refresh_once(
    postgres_url: str, upstream: FakeUpstreamServer
) -> None:
    env = environment(
        postgres_url,
        upstream.url,
        ROLES_STALENESS_THRESHOLD="1",
        HEROES_PATH_CACHE_TIMEOUT="1",
    )
    with ExitStack() as stack:
        first, second = stack.enter_context(serve(env)), stack.enter_context(serve(env))
        async with httpx.AsyncClient(timeout=30) as http:
            fetched = await http.get(f"{first}/players/TeKrop-2217/summary")
            assert fetched.status_code == 200
            assert upstream.app.calls  # the first host asked Blizzard
            upstream.app.reset()
            answered = await http.get(f"{second}/players/TeKrop-2217/summary")
            assert answered.status_code == 200
            assert answered.content == fetched.content
            assert dict(upstream.app.calls) == {}  # from storage, no upstream call

            assert (await http.get(f"{first}/roles")).status_code == 200
            await asyncio.sleep(1.2)  # the stored roles go stale
            stale = await http.get(f"{second}/roles")
            assert stale.headers["x-cache-status"] == "stale"
            upstream.app.reset()
            storage = await PostgresStorage.open(postgres_url)
            try:

                async def done() -> bool:
                    job = await storage.jobs.get(ROLES_JOB)
                    return job is not None and job.state == "done"

                await eventually(done, within=30)
                await asyncio.sleep(0.5)  # room for a (wrong) second run by the other host
                job = await storage.jobs.get(ROLES_JOB)
                assert job is not None
                assert (job.state, job.attempts) == ("done", 1)
            finally:
                await storage.close()
            assert upstream.app.calls["/en-us/"] == 1


def start_failure(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_unreachable_server_stops_start_up_with_one_line() -> None:
    url = f"postgresql://owdata:s3cret@127.0.0.1:{free_port()}/owdata"
    result = start_failure(environment(url, "http://127.0.0.1:9"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("owdata: DATABASE_URL: cannot use PostgreSQL at")
    assert "s3cret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_database_stops_start_up_with_one_line(
    postgres_server: PostgresProcess, postgres_url: str
) -> None:
    url = postgres_server.url("no_such_database")
    result = start_failure(environment(url, "http://127.0.0.1:9"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "DATABASE_URL" in result.stderr
    assert "no_such_database" in result.stderr


async def test_a_worker_killed_mid_job_leaves_it_to_run_again_exactly_once(
    settings: Settings,
    upstream: FakeUpstreamServer,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", postgres_url)  # the worker processes' storage
    settings = app_settings(settings).model_copy(update={"database_url": postgres_url})
    await queue_a_refresh(settings)
    storage = await PostgresStorage.open(postgres_url)
    try:

        async def state() -> tuple[str, int] | None:
            job = await storage.jobs.get(ROLES_JOB)
            return None if job is None else (job.state, job.attempts)

        assert await state() == ("queued", 0)
        upstream.app.reset()
        upstream.app.delay = 10.0  # the first worker's fetch hangs…

        async def fetch_started() -> bool:
            return upstream.app.calls["/en-us/"] == 1

        with worker(settings) as first:
            await eventually(fetch_started, within=30)
            first.kill()  # …and the worker dies in the middle of the job
            first.wait()
        assert await state() == ("running", 1)
        upstream.app.delay = 0.0

        async def done() -> bool:
            current = await state()
            return current is not None and current[0] == "done"

        with worker(settings):
            await eventually(done, within=30)
            await asyncio.sleep(0.5)  # room for a (wrong) second completion
        assert await state() == ("done", 2)
    finally:
        await storage.close()
    assert upstream.app.calls["/en-us/"] == 2
