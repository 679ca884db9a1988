"""Fixtures of the job tests: every storage adapter with its queue, and runner helpers."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from app.adapters.storage.memory import MemoryStorage
from app.adapters.storage.sqlite import SQLiteStorage
from app.ports_jobs import OutboxStorage
from app.services.jobs import JobRunner

T0 = 1_700_000_000.0

ADAPTERS = ["sqlite-file", "sqlite-memory", "memory"]


async def open_adapter(kind: str, tmp_path: Path) -> OutboxStorage:
    # Annotated as the port: mypy checks that both adapters satisfy the protocol.
    storage: OutboxStorage
    if kind == "sqlite-file":
        storage = await SQLiteStorage.open(tmp_path / "owdata.db")
    elif kind == "sqlite-memory":
        storage = await SQLiteStorage.open(":memory:")
    else:
        storage = MemoryStorage()
    return storage


@pytest.fixture(params=ADAPTERS)
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OutboxStorage]:
    adapter = await open_adapter(request.param, tmp_path)
    yield adapter
    await adapter.close()


class FakeClock:
    """A settable clock for the runner (claim times, retry times)."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def eventually(check: Callable[[], object], *, within: float = 10.0) -> None:
    """Wait until `check()` is truthy (awaiting it if it returns an awaitable)."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def running(*runners: JobRunner) -> AsyncIterator[asyncio.Event]:
    """Run the runners in the background; stop them (and wait) on exit."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(runner.run_forever(stop)) for runner in runners]
    try:
        yield stop
    finally:
        stop.set()
        await asyncio.gather(*tasks)
