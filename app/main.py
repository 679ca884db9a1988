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
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from app import __version__
from app.adapters.cache.memory import MemoryCache
from app.api.access_log import AccessLogMiddleware, AccessWrite
from app.api.application import OwdataApp
from app.api.deps import get_container
from app.api.direct_routes import DirectRoutes
from app.api.docs import install_docs
from app.api.errors import install_error_handlers
from app.api.metrics_middleware import MetricsMiddleware, RequestMetrics
from app.api.openapi import DESCRIPTION, TAGS_METADATA, document_search_max_limit
from app.api.redirects import install_relative_redirects
from app.api.response_cache import ResponseCacheMiddleware
from app.api.routers import hero_stats, heroes, players, reference
from app.api.routers.metrics import metrics_router
from app.api.warmup import read_endpoint_sources, warm_up
from app.bootstrap import build_cache, build_services, gauge_sources, open_adapters, retention
from app.config import Settings, load_settings
from app.logs import AccessLineWriter
from app.metrics import CacheLayer, Metrics, UnseenMetrics
from app.ports import Cache, Clock, Storage
from app.services.maintenance import Maintenance


async def _before_accepting(app: OwdataApp, storage: Storage) -> None:
    """What a first request would pay (route building, thread pools, error handlers),
    paid before the server accepts connections."""
    await warm_up(app.handle)
    await read_endpoint_sources(app)
    # Each storage connection's first read loads the schema and prepares the statement.
    await storage.warm_up()
    # Everything built so far lives as long as the process: keep it out of the garbage
    # collector's scans, which otherwise grow with the app's import graph.
    gc.collect()
    gc.freeze()


def direct_player_routes(app: OwdataApp, inner: ASGIApp) -> DirectRoutes:
    """The player routes answered without FastAPI's stack; anything else goes to `inner`."""
    return DirectRoutes(
        inner,
        owner=app,
        routes=players.router.routes,
        container=lambda: app.state.container,
        container_dependency=get_container,
        handlers=app.exception_handlers,
    )


UNSEEN_CACHE_BYTES = 1 << 20
"""The warm-up edge stack's own response cache (a few small answers)."""


def _discard(fields: dict[str, Any]) -> None:
    """The warm-up edge stack's access lines: written nowhere."""


def _edge_stack(
    inner: ASGIApp,
    settings: Settings,
    cache: Cache,
    metrics: RequestMetrics | None,
    clock: Clock,
    access_lines: AccessWrite | None,
) -> ASGIApp:
    """The layers in front of `inner` (the direct player routes, then FastAPI's stack):
    access log, response cache, request metrics."""
    counts, recorder_for = None, None
    if metrics is not None:
        measured = MetricsMiddleware(inner, metrics=metrics)
        inner, recorder_for = measured, measured.recorder_for
        layer: CacheLayer = "valkey" if settings.valkey_url else "memory"
        counts = metrics.http.lookup_counts(layer)
    edge: ASGIApp = ResponseCacheMiddleware(
        inner,
        cache=cache,
        clock=clock,
        counts=counts,
        max_query_length=settings.max_query_string_length,
        recorder_for=recorder_for,
        stale_ttl=settings.stale_answer_cache_timeout,
        prepared_max_bytes=settings.prepared_hits_max_bytes,
    )
    if access_lines is not None:  # outermost: response cache hits are logged too
        edge = AccessLogMiddleware(edge, write=access_lines)
    return edge


def create_app(settings: Settings, *, clock: Clock = time.time) -> FastAPI:
    metrics = Metrics() if settings.metrics_enabled else None
    cache = build_cache(settings, metrics)
    access_lines = AccessLineWriter(settings.log_format) if settings.access_log else None

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
                retention(settings),
            )
            stop = asyncio.Event()
            tasks = [
                asyncio.create_task(
                    cleanup.run_forever(settings.maintenance_interval, stop), name="cleanup"
                )
            ]
            if settings.jobs_in_process:
                tasks.append(asyncio.create_task(services.runner.run_forever(stop), name="jobs"))
            assert isinstance(app, OwdataApp)
            await _before_accepting(app, adapters.storage)
            try:
                yield
            finally:
                stop.set()
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.gather(*tasks)
                if metrics is not None:
                    metrics.flush()
                if access_lines is not None:
                    access_lines.flush()

    app = OwdataApp(
        title="owdata",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS_METADATA,
        servers=[{"url": settings.app_base_url}],
        license_info={"name": "MIT", "identifier": "MIT"},
        docs_url=None,  # served by install_docs, with their own assets
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.metrics = metrics
    install_error_handlers(app)
    install_docs(app)
    install_relative_redirects(app.router)
    app.include_router(hero_stats.router)  # before /heroes/{hero_key}
    app.include_router(heroes.router)
    app.include_router(reference.router)
    app.include_router(players.router)
    document_search_max_limit(app, settings.search_max_limit)
    if metrics is not None:
        app.include_router(metrics_router(metrics))
    # Stateless (no cache, no counts): built once, behind both edge stacks.
    direct = direct_player_routes(app, app.handle)
    app.edge = _edge_stack(direct, settings, cache, metrics, clock, access_lines)
    # The same stack with a cache and counts of its own, for warm-up requests: nothing
    # they do is stored, counted or logged where anyone can see it.
    app.unseen_edge = lambda: _edge_stack(
        direct,
        settings,
        MemoryCache(max_bytes=UNSEEN_CACHE_BYTES),
        UnseenMetrics() if metrics is not None else None,
        clock,
        _discard if access_lines is not None else None,
    )
    if settings.static_dir.is_dir():
        app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    return app


def app_from_environment() -> FastAPI:
    """Factory for `uvicorn --factory` (used when serving with several workers)."""
    return create_app(load_settings())
