"""Running a handler while keeping its job's lease: renew it, or stop when it is lost.

The lease is renewed every `interval` seconds (a third of the lease, so one failed
renewal still leaves time for the next). If a renewal finds the job owned by someone
else (this process was frozen longer than the lease and another worker took over), the
handler is cancelled at once, so two runs of one job never overlap for long.

Example:
    >>> await run_leased(handler(job), renew=lambda: queue.extend_lease(...),
    ...                  interval=20.0)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class LeaseLostError(Exception):
    """Another worker owns the job now: stop, and record nothing."""


async def run_leased(
    work: Awaitable[None], *, renew: Callable[[], Awaitable[bool]], interval: float
) -> None:
    """Await `work`, calling `renew` every `interval` s; raise `LeaseLostError` when it
    returns False. `work` is cancelled if we stop early (lease lost, timeout, shutdown)."""
    task = asyncio.ensure_future(work)
    try:
        while not task.done():
            await asyncio.wait({task}, timeout=interval)
            if not task.done() and not await renew():
                raise LeaseLostError
        if task.cancelled():  # by the handler itself: a failure, not our cancellation
            raise RuntimeError("handler was cancelled")
        task.result()  # the handler's exception, if any
    finally:
        task.cancel()  # no-op when done
        await asyncio.gather(task, return_exceptions=True)
