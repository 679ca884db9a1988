"""`/players` (search) and the five `/players/{player_id}...` views."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.exceptions import RequestValidationError

from app.api.deps import ContainerDep
from app.api.models import players as models
from app.api.openapi import PLAYER_NOT_FOUND, PLAYERS_TAG, errors
from app.api.player_params import PlayerIdPath, SearchName
from app.api.responses import cached_json, render, render_result
from app.domain.enums import PlayerGamemode, PlayerPlatform
from app.services.results import Result

router = APIRouter(prefix="/players", tags=[PLAYERS_TAG])

GamemodeQuery = Annotated[PlayerGamemode | None, Query(description="Keep this game mode.")]
RequiredGamemode = Annotated[PlayerGamemode, Query(description="Game mode of the statistics.")]
PlatformQuery = Annotated[
    PlayerPlatform | None,
    Query(description="Keep this platform (default: the first with data, PC before console)."),
]
HeroQuery = Annotated[
    str | None,
    Query(
        pattern=r"^[a-z0-9][a-z0-9-]{0,39}$",
        description="`all-heroes` or a hero key: only its statistics.",
        examples=["ana"],
    ),
]
PLAYER_ERRORS = {**errors(502, 503, 504), 404: PLAYER_NOT_FOUND}


def _player_response(container: ContainerDep, result: Result, body: bytes) -> Response:
    now = container.clock()
    if result.stale:  # `Age` beyond `max-age`: stale, served while a refresh is queued
        max_age = container.policy.player_staleness
    else:  # reusable for the route's lifetime from now; `Age` tells the profile's age
        max_age = max(0, int(now - result.generated_at)) + container.policy.career
    return cached_json(body, result=result, max_age=max_age, now=now)


@router.get(
    "",
    operation_id="search_players",
    summary="Search for players",
    response_model=models.PlayerSearchResult,
    responses=errors(502, 503, 504),
)
async def search_players(
    container: ContainerDep,
    name: SearchName,
    order_by: Annotated[
        str,
        Query(
            pattern=r"^(player_id|name|last_updated_at):(asc|desc)$",
            description="Sort field and direction.",
        ),
    ] = "name:asc",
    offset: Annotated[int, Query(ge=0, description="Results to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, description="Most results to return.")] = 20,
) -> Response:
    """Public players whose name matches, with avatar, title and last update time."""
    most = container.policy.search_max_limit
    if limit > most:  # a setting, so not in `Query`; the schema says it (`app.api.openapi`)
        message = f"Input should be less than or equal to {most}"
        loc = ("query", "limit")
        error = {"type": "less_than_equal", "loc": loc, "msg": message, "input": limit}
        raise RequestValidationError([{**error, "ctx": {"le": most}}])
    result = await container.player_search.search(
        name, order_by=order_by, offset=offset, limit=limit
    )
    body = render(models.PLAYER_SEARCH, result.data)
    return cached_json(body, result=result, max_age=container.policy.search, now=container.clock())


@router.get(
    "/{player_id}/summary",
    operation_id="get_player_summary",
    summary="Get player summary",
    response_model=models.PlayerSummary,
    responses=PLAYER_ERRORS,
)
async def get_player_summary(container: ContainerDep, player_id: PlayerIdPath) -> Response:
    """Name, avatar, title, endorsement and competitive ranks of a player."""
    result = await container.players.summary(player_id)
    return _player_response(container, result, render(models.PLAYER_SUMMARY, result.data))


@router.get(
    "/{player_id}/stats/summary",
    operation_id="get_player_stats_summary",
    summary="Get player statistics summary",
    response_model=models.PlayerStatsSummary,
    responses=PLAYER_ERRORS,
)
async def get_player_stats_summary(
    container: ContainerDep,
    player_id: PlayerIdPath,
    gamemode: GamemodeQuery = None,
    platform: PlatformQuery = None,
) -> Response:
    """Games, win rate, KDA, totals and averages per 10 minutes: overall, per role, per hero."""
    result = await container.players.stats_summary(player_id, gamemode=gamemode, platform=platform)
    body = render_result(models.PLAYER_STATS_SUMMARY, result, exclude_unset=True)
    return _player_response(container, result, body)


@router.get(
    "/{player_id}/stats/career",
    operation_id="get_player_career_stats",
    summary="Get player career statistics",
    response_model=models.PlayerCareerStats,
    responses=PLAYER_ERRORS,
)
async def get_player_career_stats(
    container: ContainerDep,
    player_id: PlayerIdPath,
    gamemode: RequiredGamemode,
    platform: PlatformQuery = None,
    hero: HeroQuery = None,
) -> Response:
    """Career statistics as `{hero: {category: {stat: value}}}`."""
    result = await container.players.career_stats(
        player_id, gamemode=gamemode, platform=platform, hero=hero
    )
    body = render_result(models.PLAYER_CAREER_STATS, result, exclude_unset=True)
    return _player_response(container, result, body)


@router.get(
    "/{player_id}/stats",
    operation_id="get_player_stats",
    summary="Get player statistics with labels",
    response_model=models.CareerStats,
    responses=PLAYER_ERRORS,
)
async def get_player_stats(
    container: ContainerDep,
    player_id: PlayerIdPath,
    gamemode: RequiredGamemode,
    platform: PlatformQuery = None,
    hero: HeroQuery = None,
) -> Response:
    """Career statistics with categories and labels, as Blizzard shows them."""
    result = await container.players.stats(
        player_id, gamemode=gamemode, platform=platform, hero=hero
    )
    body = render_result(models.CAREER_STATS, result, exclude_unset=True)
    return _player_response(container, result, body)


@router.get(
    "/{player_id}",
    operation_id="get_player_career",
    summary="Get all player data",
    response_model=models.Player,
    responses=PLAYER_ERRORS,
)
async def get_player_career(
    container: ContainerDep,
    player_id: PlayerIdPath,
    gamemode: GamemodeQuery = None,
    platform: PlatformQuery = None,
) -> Response:
    """Summary and statistics (heroes comparisons and career statistics) of a player.

    `career_stats` lists only the heroes the player has statistics for (OverFast's uncached
    answers also listed every other hero it knew, as `null`).
    """
    result = await container.players.full(player_id, gamemode=gamemode, platform=platform)
    return _player_response(container, result, render(models.PLAYER, result.data))
