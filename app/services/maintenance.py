"""Periodic maintenance: delete player profiles nobody asked for in a long time, and
finished refresh jobs past their retention."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from app.ports import Clock, OutboxStorage

logger = logging.getLogger(__name__)


class Maintenance:
    """Removes profiles not refreshed for `max_age` seconds (0 keeps them) and done jobs
    older than `jobs_retention` seconds."""

    def __init__(
        self, storage: OutboxStorage, clock: Clock, *, max_age: int, jobs_retention: int
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._max_age = max_age
        self._jobs_retention = jobs_retention

    async def run_once(self) -> int:
        """One pass; returns how many profiles were deleted."""
        now = self._clock()
        await self._storage.jobs.purge_done(now - self._jobs_retention)
        if self._max_age <= 0:
            return 0
        deleted = await self._storage.delete_players_older_than(now - self._max_age)
        if deleted:
            logger.info("cleanup: deleted %d profiles older than %d s", deleted, self._max_age)
        return deleted

    async def run_forever(self, interval: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # keep the loop alive; the next run may succeed
                logger.exception("cleanup failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
