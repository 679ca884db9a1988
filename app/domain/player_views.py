"""Bodies of the player routes, computed from a parsed career page and a search entry.

Pure functions: no I/O, no clock. `career` is what `app.parsers.career.parse_career`
returned (or its JSON round-trip from the database); `search_entry` is the player's entry of
Blizzard's account search (raw `{name, avatar, namecard, title, lastUpdated, url, ...}` or
the normalised one from `app.parsers.search`), or None when the player was not found there.
The results share nested objects with `career`: treat both as read-only.

    >>> player_summary(career, entry)["username"]                           # doctest: +SKIP
    'TeKrop'
    >>> player_full(career, entry, gamemode=None, platform="pc")["stats"]["console"]
    ...                                                                     # doctest: +SKIP
    None

`/stats` and `/stats/career` live in `app.domain.player_career_stats`, `/stats/summary` in
`app.domain.player_stats`; all five are importable from here.

Deliberate difference from OverFast (see the tests): `/players/{id}` lists only heroes with
data in `career_stats`; OverFast's model added a `null` entry for every other hero it knew,
and only on cache misses (its cached answers did not have them, contract §10.2 item 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from app.domain.player_career import (
    COMPARISON_CATEGORIES,
    GAMEMODES,
    PLATFORMS,
    GamemodeStats,
    ParsedCareer,
    PlatformStats,
)
from app.domain.player_career_stats import player_career_stats, player_stats
from app.domain.player_stats import player_stats_summary

__all__ = [
    "player_career_stats",
    "player_full",
    "player_stats",
    "player_stats_summary",
    "player_summary",
]

_NO_TITLE = frozenset({"", "No Title"})


def player_summary(
    career: Mapping[str, Any], search_entry: Mapping[str, Any] | None
) -> dict[str, Any]:
    """`/players/{id}/summary`: the page's summary, enriched by the search entry.

    Avatar, namecard, title and last update come from the search entry when it has them
    (OverFast's sources); otherwise the page's portrait, title and `data-lastUpdate` fill in.
    """
    summary = cast(ParsedCareer, career)["summary"]
    account = _account(search_entry)
    competitive = summary["competitive"]
    return {
        "username": summary["username"],
        "avatar": account.get("avatar") or summary["avatar"],
        "namecard": account.get("namecard"),
        "title": account.get("title") or summary["title"],
        "endorsement": summary["endorsement"],
        "competitive": {
            "pc": competitive.get("pc"),
            "console": competitive.get("console"),
        }
        if any(competitive.values())
        else None,
        "last_updated_at": account.get("last_updated_at") or summary["last_updated_at"],
    }


def player_full(
    career: Mapping[str, Any],
    search_entry: Mapping[str, Any] | None,
    *,
    gamemode: str | None = None,
    platform: str | None = None,
) -> dict[str, Any]:
    """`/players/{id}`: summary plus every stat; the filters null out the other
    platform / gamemode. `stats` is null when the profile shows no stats at all (private)."""
    stats = cast(ParsedCareer, career)["stats"]
    body_stats: dict[str, Any] | None = None
    if any(stats.get(name) for name in PLATFORMS):
        body_stats = {
            name: _platform_body(stats.get(name), gamemode) if platform in (None, name) else None
            for name in PLATFORMS
        }
    return {"summary": player_summary(career, search_entry), "stats": body_stats}


def _platform_body(
    platform_stats: PlatformStats | None, gamemode: str | None
) -> dict[str, Any] | None:
    if platform_stats is None:
        return None
    return {
        name: _gamemode_body(platform_stats.get(name)) if gamemode in (None, name) else None
        for name in GAMEMODES
    }


def _gamemode_body(stats: GamemodeStats | None) -> dict[str, Any] | None:
    if stats is None:
        return None
    found = stats["heroes_comparisons"]
    # The contract lists all 15 categories (null when Blizzard showed none); a category
    # Blizzard adds later is passed through after them instead of failing validation.
    comparisons: dict[str, Any] = {key: found.get(key) for key in COMPARISON_CATEGORIES}
    comparisons.update((key, value) for key, value in found.items() if key not in comparisons)
    return {"heroes_comparisons": comparisons, "career_stats": stats["career_stats"]}


def _account(entry: Mapping[str, Any] | None) -> dict[str, Any]:
    """The search entry's avatar, namecard, title and last update (None when unusable)."""
    if not entry:
        return {}
    last_updated = entry.get("lastUpdated", entry.get("last_updated"))
    account: dict[str, Any] = {
        "last_updated_at": last_updated
        if isinstance(last_updated, int) and not isinstance(last_updated, bool)
        else None
    }
    if "portrait" in entry:
        return account  # legacy format: its avatar/namecard/title are not today's
    title = entry.get("title")
    # Blizzard sends the title in every locale ({"en_US": ...}); career pages are en-us.
    title = _text(title.get("en_US") if isinstance(title, Mapping) else title)
    account["avatar"] = _text(entry.get("avatar"))
    account["namecard"] = _text(entry.get("namecard"))
    account["title"] = None if title in _NO_TITLE else title
    return account


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
