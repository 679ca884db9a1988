"""Response model of `/heroes/stats` (OverFast v4 shape).

`hero` is a plain string, not an enum of known heroes: a hero Blizzard adds to its
statistics tomorrow is served as is instead of failing validation (contract §10.2 item 9).
The rates are not bounded either: the parser already turns Blizzard's `-1` into `0.0`, and a
value Blizzard rounds slightly above 100 is better served than refused.

Render with `render(HERO_STATS, items)` (no `exclude_unset`: every field is required).
"""

from __future__ import annotations

from pydantic import Field, TypeAdapter

from app.api.models.common import ApiModel


class HeroStatsSummary(ApiModel):
    """How often a hero is picked and how often it wins, for the selected games."""

    hero: str = Field(
        description="Hero key, as used in `/heroes/{hero_key}`.",
        examples=["ana"],
    )
    pickrate: float = Field(
        description="Share of the games in which the hero was picked, in percent (0 to 100).",
        examples=[22.3],
    )
    winrate: float = Field(
        description="Share of the hero's games that were won, in percent (0 to 100); 0.0 when "
        "Blizzard has no figure.",
        examples=[43.1],
    )


HERO_STATS = TypeAdapter(list[HeroStatsSummary])
"""`/heroes/stats` body. Render without `exclude_unset`."""
