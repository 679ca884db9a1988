"""Response models of `/players/{player_id}/stats` and `/stats/career` (also used inside
`/players/{player_id}`, see `players_full`).

Robust to what Blizzard adds (contract §10.2 item 9), where OverFast answered 500: hero keys
and stat categories are plain strings and the per-hero maps are dicts, so a new hero or
category is served as is (and keeps Blizzard's order, which a model would not); no list has
a fixed or minimum length.

Stat values are `StatValue`: an int stays an int and a float a float.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field, RootModel, StrictFloat, StrictInt

from app.api.models.common import ApiModel

StatValue = StrictInt | StrictFloat
"""A statistic, with the JSON type the parser gave it: counts and durations (seconds) are
integers, ratios and averages floats. Strict, so nothing is ever retyped: 6 stays `6`, 6.0
stays `6.0`, and a string or a boolean (a parser bug) fails instead of being coerced."""


class SingleCareerStat(ApiModel):
    key: str = Field(description="Statistic key.", examples=["eliminations_most_in_game"])
    label: str = Field(description="Statistic label.", examples=["Eliminations - Most in Game"])
    value: StatValue = Field(description="Statistic value (durations in seconds).", examples=[22])


class HeroCareerStats(ApiModel):
    """A category of statistics of one hero."""

    category: str = Field(
        description="Category key: `assists`, `average`, `best`, `combat`, `game`, "
        "`hero_specific`, `match_awards` or `miscellaneous` (a category Blizzard adds is "
        "passed through).",
        examples=["best"],
    )
    label: str = Field(description="Category label.", examples=["Best"])
    stats: list[SingleCareerStat] = Field(description="The category's statistics, in page order.")


class CareerStats(RootModel[dict[str, list[HeroCareerStats]]]):
    """Career statistics with their labels, per hero and category.

    Keyed by `all-heroes` (every hero together) and by the key of each hero the player has
    statistics for (`ana`, `soldier-76`, …); heroes without statistics are left out.
    """

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "ana": [
                        {
                            "category": "best",
                            "label": "Best",
                            "stats": [
                                {
                                    "key": "eliminations_most_in_game",
                                    "label": "Eliminations - Most in Game",
                                    "value": 22,
                                }
                            ],
                        }
                    ]
                }
            ],
        },
    )


class PlayerCareerStats(RootModel[dict[str, dict[str, dict[str, StatValue]]]]):
    """Career statistics without labels: hero → category → statistic key → value.

    Keyed by `all-heroes` and by the key of each hero with statistics, like `CareerStats`.
    Categories are `assists`, `average`, `best`, `combat`, `game`, `hero_specific`,
    `match_awards` and `miscellaneous` (a new one is passed through); durations are in
    seconds. When Blizzard repeats a statistic in a category, the row that agrees with the
    rest of the page is kept (games won = played − lost, a best within its total...), else
    the first.
    """

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "ana": {
                        "assists": {"offensive_assists": 18, "healing_done": 12703},
                        "best": {"eliminations_most_in_game": 22},
                        "game": {"time_played": 2807, "games_played": 5, "games_won": 1},
                    }
                }
            ],
        },
    )
