"""`/players/{id}/stats` and `/players/{id}/stats/career` from a parsed career page.

Both pick one platform × gamemode: `gamemode` is required; without `platform`, the first
platform (pc, then console) that has data for that gamemode. `hero` keeps that single key
(`all-heroes` or a hero). No data → `{}`.

    >>> player_career_stats(career, gamemode="quickplay", hero="ana")      # doctest: +SKIP
    {'ana': {'game': {'time_played': 2807, 'games_played': 5, ...}, ...}}

Deliberate difference from OverFast (see the tests): of Blizzard's repeated stat rows,
`/stats/career` keeps the one consistent with the rest of the page
(`app.domain.stat_rows`); OverFast's dict kept the last one (hero wins reported as
`games_won`) while its own stats summary used the first.
The results share nested objects with `career`: treat both as read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from app.domain.player_career import PLATFORMS, GamemodeStats, ParsedCareer
from app.domain.stat_rows import stat_values


def player_stats(
    career: Mapping[str, Any],
    *,
    gamemode: str,
    platform: str | None = None,
    hero: str | None = None,
) -> dict[str, Any]:
    """`/players/{id}/stats`: `{hero: [{category, label, stats: [{key, label, value}]}]}`.

    Without `platform`, the first platform (pc, then console) with data for `gamemode`;
    `hero` keeps that single key. No data → `{}`.
    """
    heroes = _career_stats(career, gamemode, platform, hero)
    return dict(heroes)


def player_career_stats(
    career: Mapping[str, Any],
    *,
    gamemode: str,
    platform: str | None = None,
    hero: str | None = None,
) -> dict[str, Any]:
    """`/players/{id}/stats/career`: `{hero: {category: {stat_key: value}}}`, same filters
    as `player_stats`."""
    # All heroes are resolved together: "all-heroes" is checked against the heroes.
    values = stat_values(_career_stats(career, gamemode, platform, None))
    if hero is None:
        return values
    return {hero: values[hero]} if hero in values else {}


def _career_stats(
    career: Mapping[str, Any], gamemode: str, platform: str | None, hero: str | None
) -> Mapping[str, Any]:
    stats = cast(ParsedCareer, career)["stats"]
    selected: GamemodeStats | None = None
    for name in PLATFORMS if platform is None else (platform,):
        platform_stats = stats.get(name)
        selected = platform_stats.get(gamemode) if platform_stats else None
        if selected is not None:
            break
    if selected is None:
        return {}
    heroes = selected["career_stats"]
    if hero is None:
        return heroes
    return {hero: heroes[hero]} if hero in heroes else {}
