"""`/heroes/stats`: hero pick and win rates (registered before `/heroes/{hero_key}`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.deps import ContainerDep
from app.api.models.hero_stats import HERO_STATS, HeroStatsSummary
from app.api.openapi import HEROES_TAG, errors
from app.api.responses import cached_json, render
from app.api.routers.reference import MapKey
from app.domain.enums import (
    CompetitiveDivisionFilter,
    PlayerGamemode,
    PlayerPlatform,
    PlayerRegion,
    Role,
)

router = APIRouter(tags=[HEROES_TAG])


@router.get(
    "/heroes/stats",
    operation_id="get_hero_stats",
    summary="Get hero stats",
    response_model=list[HeroStatsSummary],
    responses=errors(400, 502, 503, 504),
)
async def get_hero_stats(
    container: ContainerDep,
    platform: Annotated[PlayerPlatform, Query(description="Platform of the games.")],
    gamemode: Annotated[PlayerGamemode, Query(description="Game mode of the games.")],
    region: Annotated[PlayerRegion, Query(description="Region of the games.")],
    role: Annotated[Role | None, Query(description="Keep heroes of this role.")] = None,
    map_: Annotated[
        MapKey | None, Query(alias="map", description="Only games on this map.")
    ] = None,
    competitive_division: Annotated[
        CompetitiveDivisionFilter | None,
        Query(description="Competitive division (`grandmaster` includes champions)."),
    ] = None,
    order_by: Annotated[
        str,
        Query(
            pattern=r"^(hero|winrate|pickrate):(asc|desc)$",
            description="Sort field and direction.",
        ),
    ] = "hero:asc",
) -> Response:
    """Pick rate and win rate of every hero, as percentages, from Blizzard's statistics."""
    result = await container.hero_stats.stats(
        platform=platform,
        gamemode=gamemode,
        region=region,
        role=role,
        map_key=map_,
        competitive_division=competitive_division,
        order_by=order_by,
    )
    body = render(HERO_STATS, result.data)
    now = container.clock()
    return cached_json(body, result=result, max_age=container.policy.hero_stats, now=now)
