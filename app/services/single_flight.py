"""Single-flight: concurrent callers asking for the same key share one execution.

Within a process, followers await the leader's result. Across processes, the leader
holds a `FlightLock` (Valkey) while it works; another process's leader waits for it and
then runs its own `work`, which starts by re-checking storage and so finds the data the
first process stored instead of asking upstream again.

Example:
    >>> flight = SingleFlight[str]()
    >>> await asyncio.gather(*(flight.run("k", fetch) for _ in range(10)))  # doctest: +SKIP
    # `fetch` ran once; all ten callers got its result (or its exception).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from app.ports import FlightLock


class _ProcessOnly:
    """No cross-process exclusion: one process's single-flight is all there is."""

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        yield

    async def close(self) -> None:
        return None


class SingleFlight[T]:
    def __init__(
        self, lock: FlightLock | None = None, *, on_wait: Callable[[], None] | None = None
    ) -> None:
        self._lock: FlightLock = lock or _ProcessOnly()
        self._on_wait = on_wait
        self._running: dict[str, asyncio.Future[T]] = {}

    async def run(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        running = self._running.get(key)
        if running is not None:
            if self._on_wait is not None:
                self._on_wait()
            return await asyncio.shield(running)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            async with self._lock.hold(key):
                result = await work()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            # Retrieve it so an unawaited future never logs "exception was never retrieved".
            future.exception()
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._running[key]
