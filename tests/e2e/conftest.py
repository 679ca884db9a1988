"""End-to-end fixtures: the real app, its upstream answered by the fake Blizzard site over
real HTTP on loopback, SQLite storage in a temporary folder, and an HTTP client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from app.main import create_app
from app.ports import Clock

OVERFAST_BASE_URL = "https://overfast-api.tekrop.fr"


async def eventually(
    check: Callable[[], Awaitable[bool]], *, within: float = 10.0, interval: float = 0.05
) -> None:
    """Wait until `check()` is true (background jobs run on their own schedule)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still false after {within} s: {check.__name__}")
        await asyncio.sleep(interval)


@asynccontextmanager
async def running(
    settings: Settings, clock: Clock | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """An app started from `settings` (its lifespan included) and a client talking to it."""
    application = create_app(settings) if clock is None else create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://owdata.test") as http:
            yield http


@pytest.fixture(scope="session")
def fake_upstream_server(fixtures_path: Path) -> Iterator[FakeUpstreamServer]:
    with FakeUpstreamServer(fixtures_path) as server:
        yield server


@pytest.fixture
def upstream(fake_upstream_server: FakeUpstreamServer) -> FakeUpstreamServer:
    """The fake Blizzard site, with counters and faults reset for this test."""
    fake_upstream_server.app.reset()
    return fake_upstream_server


@pytest.fixture
def settings(tmp_path: Path, upstream: FakeUpstreamServer) -> Settings:
    # OverFast's public URL as base, so expected answers compare byte for byte.
    return Settings(
        _env_file=None,
        blizzard_host=upstream.url,
        storage_path=tmp_path / "owdata.db",
        app_base_url=OVERFAST_BASE_URL,
        upstream_timeout=5.0,
        # The throttle's spacing is tested on its own; here it would only slow tests down.
        throttle_start_delay=0.0,
        throttle_min_delay=0.0,
        worker_poll_interval=0.05,
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://owdata.test") as http:
        yield http
