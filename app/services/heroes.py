"""Heroes, hero details and roles: scraped pages, combined with curated hit points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from app.data.reference import HeroFacts
from app.domain.errors import NotFoundError
from app.parsers import hero as hero_parser
from app.parsers import heroes as heroes_parser
from app.parsers import roles as roles_parser
from app.parsers.hero import HERO_NOT_FOUND
from app.services.results import Result
from app.services.static_pages import PageSpec, StaticPages

BLIZZARD_PUBLIC_URL = "https://overwatch.blizzard.com"
"""Relative links in pages point here, whichever host (or fake) the pages came from."""


@dataclass(frozen=True, slots=True)
class HeroesConfig:
    site_url: str
    heroes_staleness: int
    roles_staleness: int


class HeroesService:
    def __init__(
        self, pages: StaticPages, config: HeroesConfig, facts: Mapping[str, HeroFacts]
    ) -> None:
        self._pages = pages
        self._config = config
        self._facts = facts

    def heroes_spec(self, locale: str) -> PageSpec:
        return PageSpec(
            key=f"heroes:{locale}",
            path=f"/{locale}/heroes/",
            page_type="heroes",
            parse=heroes_parser.parse_heroes_list,
            parser_version=heroes_parser.PARSER_VERSION,
            staleness=self._config.heroes_staleness,
            job={"page": "heroes", "locale": locale},
        )

    def hero_spec(self, key: str, locale: str) -> PageSpec:
        return PageSpec(
            key=f"hero:{key}:{locale}",
            path=f"/{locale}/heroes/{key}/",
            page_type="hero",
            parse=partial(hero_parser.parse_hero, locale=locale, site_url=self._config.site_url),
            parser_version=hero_parser.PARSER_VERSION,
            staleness=self._config.heroes_staleness,
            accept_statuses=frozenset({200, 404}),
            job={"page": "hero", "locale": locale, "hero": key},
        )

    def roles_spec(self, locale: str) -> PageSpec:
        return PageSpec(
            key=f"roles:{locale}",
            path=f"/{locale}/",
            page_type="roles",
            parse=roles_parser.parse_roles,
            parser_version=roles_parser.PARSER_VERSION,
            staleness=self._config.roles_staleness,
            job={"page": "roles", "locale": locale},
        )

    def spec_for(self, job: Mapping[str, str]) -> PageSpec:
        """The spec a refresh job's payload (`PageSpec.job`) describes."""
        page, locale = job["page"], job["locale"]
        if page == "hero":
            return self.hero_spec(job["hero"], locale)
        if page == "roles":
            return self.roles_spec(locale)
        if page == "heroes":
            return self.heroes_spec(locale)
        raise ValueError(f"unknown static page {page!r}")

    async def list_heroes(
        self, locale: str, *, role: str | None = None, gamemode: str | None = None
    ) -> Result:
        """Every hero of the upstream heroes list, filtered by (sub-)role and game mode."""
        result = await self._pages.get(self.heroes_spec(locale))
        heroes = [
            hero
            for hero in result.data
            if (role is None or role in (hero["role"], hero["subrole"]))
            and (gamemode is None or gamemode in hero["gamemodes"])
        ]
        return Result(heroes, result.generated_at, result.stale)

    async def get_hero(self, key: str, locale: str) -> Result:
        """A hero's page with its portrait (from the heroes list) and curated hit points.

        Raises `NotFoundError` for a key missing from the heroes list, without asking
        Blizzard for the hero page, and for a listed hero whose page does not exist yet.
        """
        listing = await self._pages.get(self.heroes_spec(locale))
        portrait = next((h["portrait"] for h in listing.data if h["key"] == key), None)
        if portrait is None:
            raise NotFoundError(HERO_NOT_FOUND)
        page = await self._pages.get(self.hero_spec(key, locale))
        facts = self._facts.get(key)
        hero = {
            **page.data,
            "portrait": portrait,
            "hitpoints": facts.hitpoints if facts is not None else None,
        }
        return Result(
            hero, min(page.generated_at, listing.generated_at), page.stale or listing.stale
        )

    async def list_roles(self, locale: str) -> Result:
        return await self._pages.get(self.roles_spec(locale))
