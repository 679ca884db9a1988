"""Wiring: adapters built from settings, services built from adapters.

Used by the app's lifespan (`app.main`) and by `owdata worker`; nothing else builds
adapters or reads settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from app.adapters.cache.memory import MemoryCache
from app.adapters.cache.valkey import ValkeyCache
from app.adapters.storage.sqlite import SQLiteStorage
from app.adapters.upstream.http import HttpUpstream
from app.api.deps import CachePolicy, Container
from app.config import Settings
from app.data import reference as curated
from app.ports import Cache, Clock, Storage, Upstream
from app.services.hero_stats import HeroStatsService
from app.services.heroes import BLIZZARD_PUBLIC_URL, HeroesConfig, HeroesService
from app.services.players.profiles import PlayerProfiles
from app.services.players.search import PlayerSearch
from app.services.players.service import PlayersService
from app.services.players.unknown import BackoffPolicy, UnknownPlayers
from app.services.reference import ReferenceService
from app.services.static_pages import StaticPages


def build_cache(settings: Settings) -> Cache:
    if settings.valkey_url:
        return ValkeyCache.from_url(settings.valkey_url)
    return MemoryCache(
        max_entries=settings.memory_cache_max_entries, max_bytes=settings.memory_cache_max_bytes
    )


@dataclass(frozen=True, slots=True)
class Adapters:
    storage: Storage
    upstream: Upstream
    cache: Cache


@asynccontextmanager
async def open_adapters(settings: Settings, cache: Cache) -> AsyncIterator[Adapters]:
    """Open storage and the upstream client; close them (and `cache`) on exit."""
    storage = await SQLiteStorage.open(settings.storage_path)
    upstream = HttpUpstream.create(
        base_url=settings.blizzard_host,
        timeout=settings.upstream_timeout,
        connect_timeout=settings.upstream_connect_timeout,
        max_connections=settings.upstream_max_connections,
        user_agent=settings.upstream_user_agent,
    )
    try:
        yield Adapters(storage=storage, upstream=upstream, cache=cache)
    finally:
        await upstream.close()
        await storage.close()
        await cache.close()


def cache_policy(settings: Settings) -> CachePolicy:
    return CachePolicy(
        heroes=settings.heroes_path_cache_timeout,
        hero=settings.hero_path_cache_timeout,
        csv=settings.csv_cache_timeout,
        hero_not_found=settings.hero_not_found_cache_timeout,
        career=settings.career_path_cache_timeout,
        search=settings.search_account_path_cache_timeout,
        hero_stats=settings.hero_stats_cache_timeout,
        search_max_limit=settings.search_max_limit,
    )


def build_container(settings: Settings, adapters: Adapters, clock: Clock) -> Container:
    storage, upstream = adapters.storage, adapters.upstream
    pages = StaticPages(storage, upstream, clock)
    unknown = UnknownPlayers(
        storage,
        clock,
        BackoffPolicy(
            initial=settings.unknown_player_initial_retry,
            multiplier=settings.unknown_player_retry_multiplier,
            maximum=settings.unknown_player_max_retry,
        ),
    )
    profiles = PlayerProfiles(
        storage, upstream, clock, unknown, staleness=settings.player_staleness_threshold
    )
    heroes_config = HeroesConfig(
        site_url=BLIZZARD_PUBLIC_URL,
        heroes_staleness=settings.heroes_staleness_threshold,
        roles_staleness=settings.roles_staleness_threshold,
    )
    return Container(
        clock=clock,
        policy=cache_policy(settings),
        heroes=HeroesService(pages, heroes_config, curated.HEROES),
        reference=ReferenceService(
            maps=curated.MAPS,
            gamemodes=curated.GAMEMODES,
            static_url=settings.static_base_url,
            clock=clock,
        ),
        hero_stats=HeroStatsService(upstream, adapters.cache, clock),
        players=PlayersService(profiles, curated.HERO_ROLES),
        player_search=PlayerSearch(storage, upstream, clock, app_base_url=settings.app_base_url),
    )
