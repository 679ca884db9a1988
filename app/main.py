"""The composition root: `create_app(settings)` builds the FastAPI app and its lifespan.

Adapters needing I/O to start (storage, upstream client) are opened in the lifespan
(`app.bootstrap`) and closed when the app stops. Nothing else reads settings.

Example:
    >>> app = create_app(Settings(storage_path=Path(":memory:")))  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from app import __version__
from app.api.application import OwdataApp
from app.api.errors import install_error_handlers
from app.api.metrics_middleware import MetricsMiddleware
from app.api.openapi import DESCRIPTION, TAGS_METADATA
from app.api.response_cache import ResponseCacheMiddleware
from app.api.routers import hero_stats, heroes, players, reference
from app.api.routers.metrics import metrics_router
from app.api.warmup import warm_up
from app.bootstrap import build_cache, build_services, gauge_sources, open_adapters
from app.config import Settings, load_settings
from app.metrics import CacheLayer, Metrics
from app.ports import Clock
from app.services.maintenance import Maintenance


def create_app(settings: Settings, *, clock: Clock = time.time) -> FastAPI:
    metrics = Metrics() if settings.metrics_enabled else None
    cache = build_cache(settings, metrics)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_adapters(settings, cache, metrics) as adapters:
            services = build_services(settings, adapters, clock, metrics)
            app.state.container = services.container
            if metrics is not None:
                metrics.watch(gauge_sources(adapters, cache))
            cleanup = Maintenance(
                adapters.storage,
                clock,
                max_age=settings.player_profile_max_age,
                jobs_retention=settings.jobs_done_retention,
            )
            stop = asyncio.Event()
            tasks = [
                asyncio.create_task(
                    cleanup.run_forever(settings.maintenance_interval, stop), name="cleanup"
                )
            ]
            if settings.jobs_in_process:
                tasks.append(asyncio.create_task(services.runner.run_forever(stop), name="jobs"))
            # What a first request would pay (route building, thread pools, error
            # handlers) is paid here, before the server accepts connections.
            assert isinstance(app, OwdataApp)
            await warm_up(app.handle)
            # Each storage connection's first read loads the schema and prepares the
            # statement: done here for the readers (a BattleTag no player can have).
            await asyncio.gather(
                *(adapters.storage.find_player_by_battletag("#owdata-warm-up") for _ in range(2))
            )
            # Everything built so far lives as long as the process: keep it out of the
            # garbage collector's scans, which otherwise grow with the app's import graph.
            gc.collect()
            gc.freeze()
            try:
                yield
            finally:
                stop.set()
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.gather(*tasks)
                if metrics is not None:
                    metrics.flush()

    app = OwdataApp(
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
    app.state.metrics = metrics
    install_error_handlers(app)
    app.include_router(hero_stats.router)  # before /heroes/{hero_key}
    app.include_router(heroes.router)
    app.include_router(reference.router)
    app.include_router(players.router)
    inner: ASGIApp = app.handle
    counts, recorder_for = None, None
    if metrics is not None:
        app.include_router(metrics_router(metrics))
        measured = MetricsMiddleware(app.handle, metrics=metrics)
        inner, recorder_for = measured, measured.recorder_for
        layer: CacheLayer = "valkey" if settings.valkey_url else "memory"
        counts = metrics.response_cache_counts(layer)
    app.edge = ResponseCacheMiddleware(
        inner,
        cache=cache,
        clock=clock,
        counts=counts,
        max_query_length=settings.max_query_string_length,
        recorder_for=recorder_for,
        stale_ttl=settings.stale_answer_cache_timeout,
    )
    if settings.static_dir.is_dir():
        app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    return app


def app_from_environment() -> FastAPI:
    """Factory for `uvicorn --factory` (used when serving with several workers)."""
    return create_app(load_settings())
