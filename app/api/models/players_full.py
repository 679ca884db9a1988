"""Response model of `/players/{player_id}`: the summary and every statistic.

Robust to what Blizzard adds (contract §10.2 item 9): `HeroesComparisons` declares the 15
known categories and also accepts any other one; hero keys are plain strings; no list has a
fixed or minimum length. Render without `exclude_unset` (see `players`).
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from app.api.models.common import ApiModel
from app.api.models.players_career import CareerStats, StatValue
from app.api.models.players_summary import PlayerSummary


class HeroStat(ApiModel):
    hero: str = Field(description="Hero key.", examples=["ana"])
    value: StatValue = Field(
        description="The hero's value for this category (durations in seconds).", examples=[2807]
    )


class HeroesStats(ApiModel):
    label: str = Field(description="Category label.", examples=["Time Played"])
    values: list[HeroStat] = Field(
        description="Heroes ranked by this category, best first; heroes without a value for "
        "it are left out."
    )


def _comparison(what: str) -> Any:
    return Field(default=None, description=f"{what}; null if Blizzard shows no hero for it.")


class HeroesComparisons(ApiModel):
    """The player's heroes ranked by general statistics (the page's "top heroes").

    The 15 categories below are always present (null when empty); a category Blizzard adds
    later is passed through as an extra key, after them, with the same shape.
    """

    # Extra keys are validated as `HeroesStats | None` and documented as
    # `additionalProperties`. Missing known categories default to null (not a 500); the
    # views always write all 15, and `/players/{id}` renders without `exclude_unset`, so
    # the serialisation schema marks them required.
    model_config = ConfigDict(extra="allow", json_schema_serialization_defaults_required=True)
    __pydantic_extra__: dict[str, HeroesStats | None] = Field(init=False)

    time_played: HeroesStats | None = _comparison("Time played, in seconds")
    games_won: HeroesStats | None = _comparison("Games won")
    win_percentage: HeroesStats | None = _comparison("Share of games won, in percent")
    weapon_accuracy_best_in_game: HeroesStats | None = _comparison(
        "Best weapon accuracy in a game, in percent"
    )
    eliminations_per_life: HeroesStats | None = _comparison("Eliminations per life")
    kill_streak_best: HeroesStats | None = _comparison("Longest kill streak")
    multikill_best: HeroesStats | None = _comparison("Best multikill")
    eliminations_avg_per_10_min: HeroesStats | None = _comparison("Eliminations per 10 minutes")
    deaths_avg_per_10_min: HeroesStats | None = _comparison("Deaths per 10 minutes")
    final_blows_avg_per_10_min: HeroesStats | None = _comparison("Final blows per 10 minutes")
    solo_kills_avg_per_10_min: HeroesStats | None = _comparison("Solo kills per 10 minutes")
    objective_kills_avg_per_10_min: HeroesStats | None = _comparison(
        "Objective kills per 10 minutes"
    )
    objective_time_avg_per_10_min: HeroesStats | None = _comparison(
        "Objective time per 10 minutes, in seconds"
    )
    hero_damage_done_avg_per_10_min: HeroesStats | None = _comparison(
        "Hero damage done per 10 minutes"
    )
    healing_done_avg_per_10_min: HeroesStats | None = _comparison("Healing done per 10 minutes")


class PlayerGamemodeStats(ApiModel):
    heroes_comparisons: HeroesComparisons = Field(
        description="Heroes ranked by general statistics (time played, games won, …)."
    )
    career_stats: CareerStats = Field(
        description="Detailed statistics per hero and category, with labels: `all-heroes` "
        "and each hero the player has statistics for in this game mode. A hero without "
        "statistics is left out, never listed as null."
    )


class PlayerPlatformStats(ApiModel):
    quickplay: PlayerGamemodeStats | None = Field(
        description="Quick Play statistics; null if none (or filtered out by `gamemode`)."
    )
    competitive: PlayerGamemodeStats | None = Field(
        description="Competitive statistics of the last season played; null if none (or "
        "filtered out by `gamemode`)."
    )


class PlayerStats(ApiModel):
    pc: PlayerPlatformStats | None = Field(
        description="Statistics on PC; null if none (or filtered out by `platform`)."
    )
    console: PlayerPlatformStats | None = Field(
        description="Statistics on console; null if none (or filtered out by `platform`)."
    )


class Player(ApiModel):
    """Everything about a player: the summary and every statistic with its labels."""

    summary: PlayerSummary = Field(description="Name, images, endorsement and ranks.")
    stats: PlayerStats | None = Field(
        description="Statistics per platform and game mode; null when the profile is private "
        "or shows no statistics at all."
    )
