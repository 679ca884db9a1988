"""The composition root: `create_app(settings)` builds every adapter and service.

Nothing else reads settings or builds clients. Adapters needing I/O to start (storage,
upstream client) are opened in the lifespan and closed when the app stops.

Example:
    >>> app = create_app(Settings(storage_path=Path(":memory:")))  # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.adapters.cache.memory import MemoryCache
from app.adapters.cache.valkey import ValkeyCache
from app.adapters.storage.sqlite import SQLiteStorage
from app.adapters.upstream.http import HttpUpstream
from app.api.deps import CachePolicy, Container
from app.api.errors import install_error_handlers
from app.api.guards import QueryLengthGuard
from app.api.openapi import DESCRIPTION, TAGS_METADATA
from app.api.response_cache import ResponseCacheMiddleware
from app.api.routers import heroes, reference
from app.config import Settings, load_settings
from app.data import reference as curated
from app.ports import Cache, Clock
from app.services.heroes import BLIZZARD_PUBLIC_URL, HeroesConfig, HeroesService
from app.services.reference import ReferenceService
from app.services.static_pages import StaticPages


def build_cache(settings: Settings) -> Cache:
    if settings.valkey_url:
        return ValkeyCache.from_url(settings.valkey_url)
    return MemoryCache(
        max_entries=settings.memory_cache_max_entries, max_bytes=settings.memory_cache_max_bytes
    )


def _policy(settings: Settings) -> CachePolicy:
    return CachePolicy(
        heroes=settings.heroes_path_cache_timeout,
        hero=settings.hero_path_cache_timeout,
        csv=settings.csv_cache_timeout,
        hero_not_found=settings.hero_not_found_cache_timeout,
    )


def create_app(settings: Settings, *, clock: Clock = time.time) -> FastAPI:
    cache = build_cache(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        storage = await SQLiteStorage.open(settings.storage_path)
        upstream = HttpUpstream.create(
            base_url=settings.blizzard_host,
            timeout=settings.upstream_timeout,
            connect_timeout=settings.upstream_connect_timeout,
            max_connections=settings.upstream_max_connections,
            user_agent=settings.upstream_user_agent,
        )
        pages = StaticPages(storage, upstream, clock)
        app.state.container = Container(
            clock=clock,
            policy=_policy(settings),
            heroes=HeroesService(
                pages,
                HeroesConfig(
                    site_url=BLIZZARD_PUBLIC_URL,
                    heroes_staleness=settings.heroes_staleness_threshold,
                    roles_staleness=settings.roles_staleness_threshold,
                ),
                curated.HEROES,
            ),
            reference=ReferenceService(
                maps=curated.MAPS,
                gamemodes=curated.GAMEMODES,
                static_url=settings.static_base_url,
                clock=clock,
            ),
        )
        try:
            yield
        finally:
            await upstream.close()
            await storage.close()
            await cache.close()

    app = FastAPI(
        title="owdata",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS_METADATA,
        servers=[{"url": settings.app_base_url}],
        license_info={"name": "MIT", "identifier": "MIT"},
        docs_url="/docs",
        redoc_url="/",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(heroes.router)
    app.include_router(reference.router)
    app.add_middleware(ResponseCacheMiddleware, cache=cache, clock=clock)
    app.add_middleware(QueryLengthGuard, max_length=settings.max_query_string_length)
    if settings.static_dir.is_dir():
        app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    return app


def app_from_environment() -> FastAPI:
    """Factory for `uvicorn --factory` (used when serving with several workers)."""
    return create_app(load_settings())


__all__ = ["Path", "app_from_environment", "create_app"]
