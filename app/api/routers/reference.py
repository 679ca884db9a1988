"""`/maps` and `/gamemodes`, from curated data."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import TypeAdapter

from app.api.deps import ContainerDep
from app.api.models.reference import GamemodeDetails, MapDetails
from app.api.openapi import GAMEMODES_TAG, MAPS_TAG, errors
from app.api.responses import cached_json, render
from app.data import reference as curated

router = APIRouter()

MAPS = TypeAdapter(list[MapDetails])
MODES = TypeAdapter(list[GamemodeDetails])
# Built from the curated data so the OpenAPI schema lists every game mode.
MapGamemode = StrEnum(  # type: ignore[misc]
    "MapGamemode", {g.key.upper().replace("-", "_"): g.key for g in curated.GAMEMODES}
)
MapKey = StrEnum(  # type: ignore[misc]
    "MapKey", {m.key.upper().replace("-", "_"): m.key for m in curated.MAPS}
)


@router.get(
    "/gamemodes",
    tags=[GAMEMODES_TAG],
    operation_id="list_map_gamemodes",
    summary="Get a list of game modes",
    response_model=list[GamemodeDetails],
    responses=errors(),
)
async def list_gamemodes(container: ContainerDep) -> Response:
    """Every game mode that maps can be played in, with icon, description and screenshot."""
    result = container.reference.list_gamemodes()
    body = render(MODES, result.data)
    return cached_json(body, result=result, max_age=container.policy.csv, now=container.clock())


@router.get(
    "/maps",
    tags=[MAPS_TAG],
    operation_id="list_maps",
    summary="Get a list of maps",
    response_model=list[MapDetails],
    responses=errors(),
)
async def list_maps(
    container: ContainerDep,
    gamemode: Annotated[
        MapGamemode | None, Query(description="Keep maps played in this game mode.")
    ] = None,
) -> Response:
    """Every map with its screenshot, game modes, location and country code."""
    result = container.reference.list_maps(gamemode)
    body = render(MAPS, result.data)
    return cached_json(body, result=result, max_age=container.policy.csv, now=container.clock())
