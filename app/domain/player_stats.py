"""`/players/{id}/stats/summary`: per-hero, per-role and overall totals of a parsed career.

    >>> player_stats_summary(career, gamemode=None, platform=None,
    ...                      hero_roles={"ana": "support"})               # doctest: +SKIP
    {'general': {...}, 'roles': {'support': {...}}, 'heroes': {'ana': {...}}}

Computed like OverFast, because clients compare these numbers with what they saw before:
- each hero is summed over the selected platforms × gamemodes (all by default) from its
  `game`, `combat` and `assists` stat categories;
- `assists` counts offensive assists only and a negative `games_lost` (Blizzard glitch) is
  replaced by half the games played, rounded (both OverFast quirks, contract §10.2 item 14);
- `games_won = max(played - lost, 0)`, `winrate` and `kda` rounded to 2 decimals (0.0
  when dividing by zero), `average` = total per 10 minutes played, rounded to 2 decimals;
- a role sums its heroes (by `hero_roles`), `general` sums the roles; `all-heroes` and
  heroes missing from `hero_roles` are skipped; a hero or role is listed only if it has
  time played; no time played at all → `{}`.
Repeated stat rows count once, the one `app.domain.stat_rows` picks, like `/stats/career`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Final, cast

from app.domain.player_career import GAMEMODES, PLATFORMS, ParsedCareer, StatValue
from app.domain.stat_rows import stat_values

_ROLES: Final = ("tank", "damage", "support")
# Output total → (stat category, stat key) on the career page.
_TOTAL_SOURCES: Final = {
    "eliminations": ("combat", "eliminations"),
    "assists": ("assists", "offensive_assists"),
    "deaths": ("combat", "deaths"),
    "damage": ("combat", "all_damage_done"),
    "healing": ("assists", "healing_done"),
}


@dataclass
class _Totals:
    games_played: StatValue = 0
    games_won: StatValue = 0
    games_lost: StatValue = 0
    time_played: StatValue = 0
    eliminations: StatValue = 0
    assists: StatValue = 0
    deaths: StatValue = 0
    damage: StatValue = 0
    healing: StatValue = 0

    def add(self, other: _Totals) -> None:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


def player_stats_summary(
    career: Mapping[str, Any],
    *,
    gamemode: str | None = None,
    platform: str | None = None,
    hero_roles: Mapping[str, str],
) -> dict[str, Any]:
    """The `{general, roles, heroes}` body, or `{}` when nothing was played."""
    heroes = _hero_totals(cast(ParsedCareer, career), gamemode, platform, hero_roles)
    roles: dict[str, _Totals] = {}
    for hero, totals in heroes.items():
        roles.setdefault(hero_roles[hero], _Totals()).add(totals)
    played_roles = {role: roles[role] for role in _ROLES if role in roles}
    if not played_roles:
        return {}
    return {
        "general": _body(_sum(played_roles.values())),
        "roles": {role: _body(totals) for role, totals in played_roles.items()},
        "heroes": {hero: _body(totals) for hero, totals in heroes.items()},
    }


def _hero_totals(
    career: ParsedCareer, gamemode: str | None, platform: str | None, hero_roles: Mapping[str, str]
) -> dict[str, _Totals]:
    """Totals of each played hero known to `hero_roles`, in `hero_roles` order."""
    found: dict[str, _Totals] = {}
    for platform_name in PLATFORMS:
        platform_stats = career["stats"].get(platform_name)
        if platform_stats is None or platform not in (None, platform_name):
            continue
        for gamemode_name in GAMEMODES:
            gamemode_stats = platform_stats.get(gamemode_name)
            if gamemode_stats is None or gamemode not in (None, gamemode_name):
                continue
            for hero, values in stat_values(gamemode_stats["career_stats"]).items():
                if hero in hero_roles:
                    found.setdefault(hero, _Totals()).add(_block_totals(values))
    for totals in found.values():
        totals.games_won = max(totals.games_played - totals.games_lost, 0)
    return {
        hero: found[hero] for hero in hero_roles if hero in found and found[hero].time_played > 0
    }


def _block_totals(values: Mapping[str, Mapping[str, StatValue]]) -> _Totals:
    """One hero in one platform × gamemode (games won is derived after summing)."""
    game = values.get("game", {})
    played = game.get("games_played", 0)
    lost = game.get("games_lost", 0)
    if lost < 0:
        lost = round(played / 2)
    totals = _Totals(games_played=played, games_lost=lost, time_played=game.get("time_played", 0))
    for name, (category, key) in _TOTAL_SOURCES.items():
        setattr(totals, name, values.get(category, {}).get(key, 0))
    return totals


def _sum(parts: Iterable[_Totals]) -> _Totals:
    total = _Totals()
    for part in parts:
        total.add(part)
    return total


def _body(totals: _Totals) -> dict[str, Any]:
    played, deaths, minutes_10 = totals.games_played, totals.deaths, totals.time_played / 600
    total = {name: getattr(totals, name) for name in _TOTAL_SOURCES}
    return {
        "games_played": played,
        "games_won": totals.games_won,
        "games_lost": totals.games_lost,
        "time_played": totals.time_played,
        "winrate": round(totals.games_won / played * 100, 2) if played else 0.0,
        "kda": round((totals.eliminations + totals.assists) / deaths, 2) if deaths else 0.0,
        "total": total,
        "average": {
            name: round(value / minutes_10, 2) if minutes_10 else 0.0
            for name, value in total.items()
        },
    }
