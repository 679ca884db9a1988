"""Response models of the player routes, and the adapters the routers render them with.

The models live in `players_summary` (search, summary), `players_career` (`/stats`,
`/stats/career`), `players_full` (`/players/{id}`) and `players_stats_summary`
(`/stats/summary`); this module is the one routers import. Class names are OverFast's schema
names, so clients generated from its OpenAPI document keep their type names.

| adapter                | route                              | `render(..., exclude_unset=)` |
|------------------------|------------------------------------|-------------------------------|
| `PLAYER_SEARCH`        | `GET /players`                     | False                         |
| `PLAYER_SUMMARY`       | `GET /players/{id}/summary`        | False                         |
| `PLAYER`               | `GET /players/{id}`                | False (nulls are the contract)|
| `PLAYER_STATS_SUMMARY` | `GET /players/{id}/stats/summary`  | **True** (`{}`, absent roles) |
| `PLAYER_CAREER_STATS`  | `GET /players/{id}/stats/career`   | True (no effect: a dict)      |
| `CAREER_STATS`         | `GET /players/{id}/stats`          | True (no effect: a dict)      |

Only `PLAYER_STATS_SUMMARY` depends on it: with `exclude_unset=False` an empty summary
would become `{"general": null, "roles": null, "heroes": null}` and unplayed roles null.
`PLAYER` must *not* use it, or heroes-comparisons categories missing from a body would
vanish instead of being null. The other two are root dicts, where it changes nothing; True
is what OverFast used.
"""

from __future__ import annotations

from pydantic import TypeAdapter

from app.api.models.players_career import (
    CareerStats,
    HeroCareerStats,
    PlayerCareerStats,
    SingleCareerStat,
    StatValue,
)
from app.api.models.players_full import (
    HeroesComparisons,
    HeroesStats,
    HeroStat,
    Player,
    PlayerGamemodeStats,
    PlayerPlatformStats,
    PlayerStats,
)
from app.api.models.players_stats_summary import (
    AverageStatsSummary,
    PlayerRolesStats,
    PlayerStatsSummary,
    StatsSummary,
    TotalStatsSummary,
)
from app.api.models.players_summary import (
    PlatformCompetitiveRanksContainer,
    PlayerCompetitiveRank,
    PlayerCompetitiveRanksContainer,
    PlayerEndorsement,
    PlayerSearchResult,
    PlayerShort,
    PlayerSummary,
)

__all__ = [
    "CAREER_STATS",
    "PLAYER",
    "PLAYER_CAREER_STATS",
    "PLAYER_SEARCH",
    "PLAYER_STATS_SUMMARY",
    "PLAYER_SUMMARY",
    "AverageStatsSummary",
    "CareerStats",
    "HeroCareerStats",
    "HeroStat",
    "HeroesComparisons",
    "HeroesStats",
    "PlatformCompetitiveRanksContainer",
    "Player",
    "PlayerCareerStats",
    "PlayerCompetitiveRank",
    "PlayerCompetitiveRanksContainer",
    "PlayerEndorsement",
    "PlayerGamemodeStats",
    "PlayerPlatformStats",
    "PlayerRolesStats",
    "PlayerSearchResult",
    "PlayerShort",
    "PlayerStats",
    "PlayerStatsSummary",
    "PlayerSummary",
    "SingleCareerStat",
    "StatValue",
    "StatsSummary",
    "TotalStatsSummary",
]

PLAYER_SEARCH = TypeAdapter(PlayerSearchResult)
"""`GET /players`. Render without `exclude_unset`."""
PLAYER_SUMMARY = TypeAdapter(PlayerSummary)
"""`GET /players/{id}/summary`. Render without `exclude_unset`."""
PLAYER = TypeAdapter(Player)
"""`GET /players/{id}`. Render without `exclude_unset`."""
PLAYER_STATS_SUMMARY = TypeAdapter(PlayerStatsSummary)
"""`GET /players/{id}/stats/summary`. Render with `exclude_unset=True` (required)."""
PLAYER_CAREER_STATS = TypeAdapter(PlayerCareerStats)
"""`GET /players/{id}/stats/career`. `exclude_unset=True`, like OverFast (no effect)."""
CAREER_STATS = TypeAdapter(CareerStats)
"""`GET /players/{id}/stats`. `exclude_unset=True`, like OverFast (no effect)."""
