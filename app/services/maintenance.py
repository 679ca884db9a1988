"""Periodic maintenance, so storage stays bounded: delete player profiles nobody asked for
in a long time, unknown-player rows whose backoff ended long ago, and finished or dead
refresh jobs past their retention."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from app.ports import Clock, OutboxStorage

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Retention:
    """How long each kind of row is kept, in seconds (0 keeps it forever, except done jobs).

    `unknown_players`: past its `next_check_at` (a request after that would have checked
    Blizzard again and updated the row, so nobody asked in that time).
    """

    profiles: int
    done_jobs: int
    unknown_players: int = 0
    dead_jobs: int = 0


@dataclass(frozen=True, slots=True)
class Purged:
    """What one maintenance pass deleted."""

    profiles: int = 0
    unknown_players: int = 0
    done_jobs: int = 0
    dead_jobs: int = 0


class Maintenance:
    """Deletes what `Retention` says is too old, on `run_forever`'s schedule."""

    def __init__(self, storage: OutboxStorage, clock: Clock, retention: Retention) -> None:
        self._storage = storage
        self._clock = clock
        self._retention = retention

    async def run_once(self) -> Purged:
        """One pass; returns how many rows of each kind were deleted."""
        now, keep = self._clock(), self._retention
        jobs = self._storage.jobs
        purged = Purged(
            done_jobs=await jobs.purge_done(now - keep.done_jobs),
            dead_jobs=await jobs.purge_dead(now - keep.dead_jobs) if keep.dead_jobs else 0,
            unknown_players=(
                await self._storage.delete_unknown_players_due_before(now - keep.unknown_players)
                if keep.unknown_players
                else 0
            ),
            profiles=(
                await self._storage.delete_players_older_than(now - keep.profiles)
                if keep.profiles
                else 0
            ),
        )
        if purged.profiles or purged.unknown_players or purged.dead_jobs:
            logger.info(
                "cleanup: deleted %d profiles, %d unknown players, %d dead jobs",
                purged.profiles,
                purged.unknown_players,
                purged.dead_jobs,
            )
        return purged

    async def run_forever(self, interval: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # keep the loop alive; the next run may succeed
                logger.exception("cleanup failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
