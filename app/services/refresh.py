"""Handlers of the refresh jobs queued by stale-while-revalidate (idempotent by design:
a refresh fetches, parses and upserts; running it twice only costs an upstream call)."""

from __future__ import annotations

import logging

from app.domain.errors import NotFoundError
from app.ports import Job
from app.services.heroes import HeroesService
from app.services.jobs import JobRunner
from app.services.players.profiles import REFRESH_PLAYER, PlayerProfiles
from app.services.static_pages import REFRESH_STATIC, StaticPages

logger = logging.getLogger(__name__)


class RefreshHandlers:
    def __init__(self, pages: StaticPages, heroes: HeroesService, profiles: PlayerProfiles) -> None:
        self._pages = pages
        self._heroes = heroes
        self._profiles = profiles

    async def refresh_static(self, job: Job) -> None:
        payload = job.payload
        if not isinstance(payload, dict):
            raise ValueError(f"malformed payload of {job.key}: {payload!r}")
        try:
            await self._pages.refresh(self._heroes.spec_for(payload))
        except NotFoundError:
            logger.info("%s no longer exists upstream; keeping the stored copy", job.key)

    async def refresh_player(self, job: Job) -> None:
        payload = job.payload
        if not isinstance(payload, dict) or not isinstance(payload.get("player_id"), str):
            raise ValueError(f"malformed payload of {job.key}: {payload!r}")
        try:
            await self._profiles.get(payload["player_id"], force=True)
        except NotFoundError:
            logger.info("%s is no longer known to Blizzard", job.key)

    def register(self, runner: JobRunner) -> None:
        runner.register(REFRESH_STATIC, self.refresh_static)
        runner.register(REFRESH_PLAYER, self.refresh_player)
