"""`/heroes`, `/heroes/{hero_key}` and `/roles`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import TypeAdapter

from app.api.deps import ContainerDep
from app.api.models.heroes import Hero, HeroShort, RoleDetail
from app.api.openapi import HEROES_TAG, errors
from app.api.responses import cached_json, dump_json, render
from app.domain.enums import HeroGamemode, Locale, Role, SubRole
from app.domain.errors import NotFoundError
from app.services.results import Result

router = APIRouter(tags=[HEROES_TAG])

HEROES = TypeAdapter(list[HeroShort])
HERO = TypeAdapter(Hero)
ROLES = TypeAdapter(list[RoleDetail])

LocaleQuery = Annotated[Locale, Query(description="Language of the texts.")]
HERO_KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"


@router.get(
    "/heroes",
    operation_id="list_heroes",
    summary="Get a list of heroes",
    response_model=list[HeroShort],
    responses=errors(502, 503, 504),
)
async def list_heroes(
    container: ContainerDep,
    role: Annotated[
        Role | SubRole | None, Query(description="Keep heroes of this role or sub-role.")
    ] = None,
    locale: LocaleQuery = Locale.ENGLISH_US,
    gamemode: Annotated[
        HeroGamemode | None, Query(description="Keep heroes playable in this game mode.")
    ] = None,
) -> Response:
    """Every released hero with its portrait, role, sub-role and game modes, sorted by key."""
    result = await container.heroes.list_heroes(locale, role=role, gamemode=gamemode)
    body = render(HEROES, result.data)
    return cached_json(body, result=result, max_age=container.policy.heroes, now=container.clock())


@router.get(
    "/heroes/{hero_key}",
    operation_id="get_hero",
    summary="Get hero data",
    response_model=Hero,
    responses=errors(404, 502, 503, 504),
)
async def get_hero(
    container: ContainerDep,
    hero_key: Annotated[
        str,
        Path(
            pattern=HERO_KEY_PATTERN,
            description="Key of the hero, as listed by `GET /heroes` (e.g. `ana`, `soldier-76`).",
            examples=["ana"],
        ),
    ],
    locale: LocaleQuery = Locale.ENGLISH_US,
) -> Response:
    """A hero's description, abilities, perks, Stadium powers, story and hit points.

    Keys come from Blizzard's heroes list: a hero released tomorrow works without an
    update. An unknown key, or a hero announced but not released yet, gets a 404.
    """
    now = container.clock()
    try:
        result = await container.heroes.get_hero(hero_key, locale)
    except NotFoundError as exc:
        # Remembered for a while so repeated requests do not reach Blizzard.
        not_found = Result(None, now)
        body = dump_json({"error": exc.message})
        policy = container.policy.hero_not_found
        return cached_json(body, result=not_found, max_age=policy, now=now, status_code=404)
    return cached_json(
        render(HERO, result.data), result=result, max_age=container.policy.hero, now=now
    )


@router.get(
    "/roles",
    operation_id="list_roles",
    summary="Get a list of roles",
    response_model=list[RoleDetail],
    responses=errors(502, 503, 504),
)
async def list_roles(container: ContainerDep, locale: LocaleQuery = Locale.ENGLISH_US) -> Response:
    """The three roles with their icon and description."""
    result = await container.heroes.list_roles(locale)
    body = render(ROLES, result.data)
    return cached_json(body, result=result, max_age=container.policy.heroes, now=container.clock())
