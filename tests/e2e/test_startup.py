"""Start-up does the work a first request would pay: no thread hop per request, routes,
error handlers and thread pools warmed before the socket accepts (issue 15, item 4).

How much that gains is a benchmark figure (`bench.issue15`, first vs next cold request);
these tests pin the behaviour it rests on.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import httpx
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from app.api.warmup import WARM_UP_REQUESTS, warm_up
from app.config import Settings
from app.main import create_app


def _api_routes(routes: list[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        nested = getattr(route, "original_router", None)  # FastAPI's included routers
        if nested is not None:
            yield from _api_routes(nested.routes)


def _calls(dependant: Dependant) -> Iterator[tuple[str, object]]:
    for sub in dependant.dependencies:
        yield sub.name or repr(sub.call), sub.call
        yield from _calls(sub)


def test_every_route_and_dependency_runs_on_the_event_loop() -> None:
    # FastAPI runs a sync endpoint or dependency in anyio's thread pool: a thread hop on
    # every routed request, and anyio's thread machinery set up by the first one.
    app = create_app(Settings(_env_file=None))
    routes = list(_api_routes(app.routes))
    assert len(routes) >= 10, [r.path for r in routes]
    sync = [
        f"{route.path}: {name}"
        for route in routes
        for name, call in [(route.name, route.endpoint), *_calls(route.dependant)]
        if call is not None and not inspect.iscoroutinefunction(call)
    ]

    assert sync == []


async def test_warm_up_walks_every_route_and_answers_without_io(app: FastAPI) -> None:
    statuses = await warm_up(app.handle)  # type: ignore[attr-defined]

    assert len(statuses) == len(WARM_UP_REQUESTS)
    assert statuses == [404, 422, 200, 200]


async def test_start_up_stores_and_counts_nothing(client: httpx.AsyncClient) -> None:
    # The warm-up ran in the lifespan, before this first request: it went through
    # FastAPI's own stack only, so no answer was cached and no request was counted.
    metrics = (await client.get("/metrics")).text

    assert "owdata_memory_cache_entries 0.0" in metrics
    assert 'owdata_http_requests_total{method="GET",route="/maps"' not in metrics
    assert "__owdata_warm_up__" not in metrics
    first = await client.get("/maps")
    assert first.headers["x-cache-status"] == "miss"
