"""Periodic maintenance: delete player profiles nobody asked for in a long time."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from app.ports import Clock, Storage

logger = logging.getLogger(__name__)


class ProfileCleanup:
    """Removes profiles not refreshed for `max_age` seconds (0 disables it)."""

    def __init__(self, storage: Storage, clock: Clock, *, max_age: int) -> None:
        self._storage = storage
        self._clock = clock
        self._max_age = max_age

    async def run_once(self) -> int:
        if self._max_age <= 0:
            return 0
        deleted = await self._storage.delete_players_older_than(self._clock() - self._max_age)
        if deleted:
            logger.info(
                "cleanup: deleted %d player profiles older than %d s", deleted, self._max_age
            )
        return deleted

    async def run_forever(self, interval: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # keep the loop alive; the next run may succeed
                logger.exception("cleanup failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
