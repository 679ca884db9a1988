"""Fixtures of the job tests: every storage adapter with its queue, and runner helpers."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from app.services.jobs import JobRunner
from tests.integration.storage.conftest import ADAPTERS, decode_errors, open_adapter, storage

T0 = 1_700_000_000.0

# The same adapters as the storage suite: the queue and the outbox live in storage.
__all__ = ["ADAPTERS", "FakeClock", "decode_errors", "open_adapter", "storage"]


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
