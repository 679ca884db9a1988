"""Single-flight: concurrent callers asking for the same key share one execution.

Example:
    >>> flight = SingleFlight[str]()
    >>> await asyncio.gather(*(flight.run("k", fetch) for _ in range(10)))  # doctest: +SKIP
    # `fetch` ran once; all ten callers got its result (or its exception).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class SingleFlight[T]:
    def __init__(self) -> None:
        self._running: dict[str, asyncio.Future[T]] = {}
        self.waits = 0
        """How many callers joined an execution already under way (for metrics and tests)."""

    async def run(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        running = self._running.get(key)
        if running is not None:
            self.waits += 1
            return await asyncio.shield(running)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
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
