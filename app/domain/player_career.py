"""The parsed career page: the shape shared by the parser, the database and the views.

`app.parsers.career.parse_career` builds it from Blizzard's HTML, the storage layer keeps it
as JSON, and `app.domain.player_views` / `app.domain.player_stats` compute every player
route's body from it. Only JSON types are used (str keys, str/int/float/None/list/dict
values), so `json.loads(json.dumps(career)) == career`.

Shape, with the TypedDicts below naming each level:

    ParsedCareer = {
        "summary": {                                   # CareerSummary
            "username": "TeKrop",
            "avatar": "https://…png" | None,           # portrait on the page
            "title": "Data Broker" | None,             # None for Blizzard's "No Title"
            "endorsement": {"level": 2, "frame": "https://…svg#icon"} | None,
            "last_updated_at": 1777998881 | None,      # the masthead's data-lastUpdate
            "competitive": {"pc": PlatformRanks | None, "console": PlatformRanks | None},
        },
        "stats": {                                     # platform → gamemode → GamemodeStats
            "pc": {"quickplay": GamemodeStats | None, "competitive": GamemodeStats | None}
                  | None,                              # None: no data on that platform
            "console": … | None,
        },
    }
    PlatformRanks = {"season": 22 | None, "tank": Rank | None, "damage": …, "support": …,
                     "open": …}
    Rank = {"division": "silver", "tier": 4, "role_icon": url, "rank_icon": url,
            "tier_icon": url}
    GamemodeStats = {
        "heroes_comparisons": {"time_played": {"label": "Time Played",
                                               "values": [{"hero": "ana", "value": 2807}]}},
        "career_stats": {"all-heroes": [{"category": "best", "label": "Best",
                                         "stats": [{"key": "eliminations_most_in_game",
                                                    "label": "Eliminations - Most in Game",
                                                    "value": 55}]}]},
    }

Lists keep Blizzard's order (top-heroes ranking, stat rows). Stat rows keep Blizzard's
duplicated labels (several "Games Won" rows per hero); `app.domain.stat_rows.stat_values`
picks one value per key where one is needed (the rule is written there).
"""

from __future__ import annotations

from typing import Final, Literal, TypedDict

PLATFORMS: Final = ("pc", "console")
GAMEMODES: Final = ("quickplay", "competitive")
type CareerReading = Literal["text", "whole"]
"""How a career page was read: its blocks from the page's text ("text"), or the whole
page parsed by lexbor because no block was in Blizzard's markup or in place ("whole")."""
CAREER_READINGS: Final[tuple[CareerReading, ...]] = ("text", "whole")
RANK_ROLES: Final = ("tank", "damage", "support", "open")
ALL_HEROES: Final = "all-heroes"

# The 15 top-heroes categories of the public contract, in its order, with English labels.
COMPARISON_CATEGORIES: Final[dict[str, str]] = {
    "time_played": "Time Played",
    "games_won": "Games Won",
    "win_percentage": "Win Percentage",
    "weapon_accuracy_best_in_game": "Weapon Accuracy - Best in Game",
    "eliminations_per_life": "Eliminations per Life",
    "kill_streak_best": "Kill Streak - Best",
    "multikill_best": "Multikill - Best",
    "eliminations_avg_per_10_min": "Eliminations - Avg per 10 Min",
    "deaths_avg_per_10_min": "Deaths - Avg per 10 Min",
    "final_blows_avg_per_10_min": "Final Blows - Avg per 10 Min",
    "solo_kills_avg_per_10_min": "Solo Kills - Avg per 10 Min",
    "objective_kills_avg_per_10_min": "Objective Kills - Avg per 10 Min",
    "objective_time_avg_per_10_min": "Objective Time - Avg per 10 Min",
    "hero_damage_done_avg_per_10_min": "Hero Damage Done - Avg per 10 Min",
    "healing_done_avg_per_10_min": "Healing Done - Avg per 10 Min",
}

type StatValue = int | float


class Endorsement(TypedDict):
    level: int
    frame: str


class Rank(TypedDict):
    division: str
    tier: int
    role_icon: str
    rank_icon: str
    tier_icon: str


class PlatformRanks(TypedDict):
    season: int | None
    tank: Rank | None
    damage: Rank | None
    support: Rank | None
    open: Rank | None


class CareerSummary(TypedDict):
    username: str
    avatar: str | None
    title: str | None
    endorsement: Endorsement | None
    last_updated_at: int | None
    competitive: dict[str, PlatformRanks | None]  # keys: PLATFORMS


class ComparisonValue(TypedDict):
    hero: str
    value: StatValue


class Comparison(TypedDict):
    label: str
    values: list[ComparisonValue]


class Stat(TypedDict):
    key: str
    label: str
    value: StatValue


class StatCategory(TypedDict):
    category: str
    label: str
    stats: list[Stat]


class GamemodeStats(TypedDict):
    heroes_comparisons: dict[str, Comparison]  # only the categories Blizzard showed
    career_stats: dict[str, list[StatCategory]]  # hero key (or "all-heroes") → categories


type PlatformStats = dict[str, GamemodeStats | None]  # keys: GAMEMODES


class ParsedCareer(TypedDict):
    summary: CareerSummary
    stats: dict[str, PlatformStats | None]  # keys: PLATFORMS
