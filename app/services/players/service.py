"""The five player views, computed from one stored profile."""

from __future__ import annotations

from collections.abc import Mapping

from app.domain import player_views
from app.services.players.profiles import PlayerProfiles, Profile
from app.services.players.view_memo import View, ViewMemo
from app.services.results import Result


def _result(profile: Profile, body: object) -> Result:
    return Result(body, profile.fetched_at, profile.stale)


def _view_result(profile: Profile, view: View) -> Result:
    return Result(view.body, profile.fetched_at, profile.stale, view.renderings)


class PlayersService:
    def __init__(
        self, profiles: PlayerProfiles, hero_roles: Mapping[str, str], *, views_max_bytes: int
    ) -> None:
        self._profiles = profiles
        self._hero_roles = hero_roles
        self._memo = ViewMemo(views_max_bytes)

    async def summary(self, player_id: str) -> Result:
        profile = await self._profiles.get(player_id)
        return _result(profile, player_views.player_summary(profile.career, profile.search_entry))

    async def full(self, player_id: str, *, gamemode: str | None, platform: str | None) -> Result:
        profile = await self._profiles.get(player_id)
        body = player_views.player_full(
            profile.career, profile.search_entry, gamemode=gamemode, platform=platform
        )
        return _result(profile, body)

    async def stats_summary(
        self, player_id: str, *, gamemode: str | None, platform: str | None
    ) -> Result:
        profile = await self._profiles.get(player_id)
        view = self._memo.view(
            profile.key,
            profile.career,
            ("stats_summary", gamemode, platform),
            lambda: player_views.player_stats_summary(
                profile.career, gamemode=gamemode, platform=platform, hero_roles=self._hero_roles
            ),
        )
        return _view_result(profile, view)

    async def career_stats(
        self, player_id: str, *, gamemode: str, platform: str | None, hero: str | None
    ) -> Result:
        profile = await self._profiles.get(player_id)
        view = self._memo.view(
            profile.key,
            profile.career,
            ("career_stats", gamemode, platform, hero),
            lambda: player_views.player_career_stats(
                profile.career, gamemode=gamemode, platform=platform, hero=hero
            ),
        )
        return _view_result(profile, view)

    async def stats(
        self, player_id: str, *, gamemode: str, platform: str | None, hero: str | None
    ) -> Result:
        profile = await self._profiles.get(player_id)
        view = self._memo.view(
            profile.key,
            profile.career,
            ("stats", gamemode, platform, hero),
            lambda: player_views.player_stats(
                profile.career, gamemode=gamemode, platform=platform, hero=hero
            ),
        )
        return _view_result(profile, view)
