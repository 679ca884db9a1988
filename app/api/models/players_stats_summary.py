"""Response model of `/players/{player_id}/stats/summary`.

Rendered with `exclude_unset=True`: a player without statistics gets `{}`, and a role the
player never played is absent rather than null (OverFast's behaviour). `heroes` is a dict
keyed by hero key, not a model with one field per known hero, so a new hero is served.
"""

from __future__ import annotations

from pydantic import Field

from app.api.models.common import ApiModel

_AVERAGE = "per 10 minutes played, rounded to 2 decimals"


class TotalStatsSummary(ApiModel):
    eliminations: int = Field(description="Eliminations.", examples=[169772])
    assists: int = Field(description="Offensive assists (defensive ones are not counted).")
    deaths: int = Field(description="Deaths.", examples=[70289])
    damage: int = Field(description="Damage done (all damage).", examples=[76430370])
    healing: int = Field(description="Healing done.", examples=[23455121])


class AverageStatsSummary(ApiModel):
    eliminations: float = Field(description=f"Eliminations {_AVERAGE}.", examples=[17.36])
    assists: float = Field(description=f"Offensive assists {_AVERAGE}.", examples=[4.39])
    deaths: float = Field(description=f"Deaths {_AVERAGE}.", examples=[7.19])
    damage: float = Field(description=f"Damage done {_AVERAGE}.", examples=[7814.06])
    healing: float = Field(description=f"Healing done {_AVERAGE}.", examples=[2398.0])


class StatsSummary(ApiModel):
    """Totals over the selected platforms and game modes."""

    games_played: int = Field(description="Games played.", examples=[12702])
    games_won: int = Field(description="Games won: played minus lost.", examples=[6548])
    games_lost: int = Field(
        description="Games lost (half the games played when Blizzard reports a negative number).",
        examples=[6154],
    )
    time_played: int = Field(description="Time played, in seconds.", examples=[5868683])
    winrate: float = Field(
        description="Games won / games played, in percent, rounded to 2 decimals (0.0 "
        "without games).",
        examples=[51.55],
    )
    kda: float = Field(
        description="(Eliminations + assists) / deaths, rounded to 2 decimals (0.0 without "
        "deaths).",
        examples=[3.03],
    )
    total: TotalStatsSummary = Field(description="Totals of the main statistics.")
    average: AverageStatsSummary = Field(description=f"The same statistics {_AVERAGE}.")


class PlayerRolesStats(ApiModel):
    """Per role, the sum of its heroes; a role the player never played is absent."""

    tank: StatsSummary | None = Field(default=None, description="Tank heroes together.")
    damage: StatsSummary | None = Field(default=None, description="Damage heroes together.")
    support: StatsSummary | None = Field(default=None, description="Support heroes together.")


class PlayerStatsSummary(ApiModel):
    """Winrate, KDA, damage, healing…: totals per hero, per role and overall.

    All three keys are absent (`{}`) when the player has no statistics for the filters.
    """

    general: StatsSummary | None = Field(
        default=None, description="Every role together (the sum of `roles`)."
    )
    roles: PlayerRolesStats | None = Field(
        default=None, description="Per role, the sum of its heroes' statistics."
    )
    heroes: dict[str, StatsSummary] | None = Field(
        default=None,
        description="Per hero key (`ana`, `soldier-76`, …), only heroes with time played.",
    )
