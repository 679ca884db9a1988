"""Dependencies of the routers: the services and policies built by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from app.ports import Clock
from app.services.hero_stats import HeroStatsService
from app.services.heroes import HeroesService
from app.services.players.search import PlayerSearch
from app.services.players.service import PlayersService
from app.services.reference import ReferenceService


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """Response lifetimes (seconds) per route family, from settings."""

    heroes: int
    hero: int
    csv: int
    hero_not_found: int
    career: int
    player_staleness: int
    search: int
    hero_stats: int
    search_max_limit: int


@dataclass(frozen=True, slots=True)
class Container:
    """Everything a request may need; built once by `create_app`."""

    clock: Clock
    policy: CachePolicy
    heroes: HeroesService
    reference: ReferenceService
    hero_stats: HeroStatsService
    players: PlayersService
    player_search: PlayerSearch


async def get_container(request: Request) -> Container:
    """Async, so FastAPI calls it on the event loop: a sync dependency would cost every
    routed request a hop to the thread pool (and the first one anyio's thread set-up)."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]
