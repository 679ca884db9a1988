"""Start-up does the work a first request would pay: no thread hop per request, routes,
error handlers and thread pools warmed before the socket accepts (issue 15, item 4).

How much that gains is a benchmark figure (`bench.issue15`, first vs next cold request);
these tests pin the behaviour it rests on.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import fastapi.routing
import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from app.api.application import OwdataApp
from app.api.warmup import WARM_UP_REQUESTS, api_routes, warm_up
from app.config import Settings
from app.connection_warmup import warm_connections
from app.main import create_app
from tests.e2e.processes import serving


def _calls(dependant: Dependant) -> Iterator[tuple[str, object]]:
    for sub in dependant.dependencies:
        yield sub.name or repr(sub.call), sub.call
        yield from _calls(sub)


def test_every_route_and_dependency_runs_on_the_event_loop() -> None:
    # FastAPI runs a sync endpoint or dependency in anyio's thread pool: a thread hop on
    # every routed request, and anyio's thread machinery set up by the first one.
    app = create_app(Settings(_env_file=None))
    routes = list(api_routes(app.routes))
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


async def test_connection_warm_up_answers_through_an_edge_stack_nobody_sees(
    app: OwdataApp, client: httpx.AsyncClient
) -> None:
    # uvicorn's protocol and the edge stack (response cache, metrics) run for real, over
    # loopback connections to a private socket, in front of FastAPI's stack; what they
    # cache and count is their own copy's.
    config = uvicorn.Config(app, access_log=False, log_config=None)
    config.load()
    assert app.unseen_edge is not None

    statuses = await warm_connections(config, app.unseen_edge())

    assert statuses == [404, 422, 200, 200]
    metrics = (await client.get("/metrics")).text
    assert "owdata_memory_cache_entries 0.0" in metrics
    assert 'route="/maps"' not in metrics
    assert 'route="other"' not in metrics
    assert 'owdata_cache_lookups_total{layer="memory",result="miss"} 0.0' in metrics
    assert (await client.get("/maps")).headers["x-cache-status"] == "miss"


def test_served_process_warms_its_connections_before_its_serving_line(tmp_path: Path) -> None:
    settings = {"LOG_LEVEL": "debug", "ACCESS_LOG": "true"}
    with serving(tmp_path, settings) as (command, url):
        metrics = httpx.get(f"{url}/metrics", timeout=10).text
        first = httpx.get(f"{url}/maps", timeout=10)
        command.stop()

    warmed = [i for i, line in enumerate(command.lines) if "warmed up over private" in line]
    (serving_line,) = [i for i, line in enumerate(command.lines) if "serving on " in line]
    assert len(warmed) == 1
    assert warmed[0] < serving_line
    assert "statuses [404, 422, 200, 200]" in command.lines[warmed[0]]
    # Nothing of it is seen: not cached, not counted, not in the access log.
    assert first.headers["x-cache-status"] == "miss"
    assert 'route="/maps"' not in metrics
    assert "owdata_memory_cache_entries 0.0" in metrics
    access = [line for line in command.lines if re.search(r"owdata\.access", line)]
    assert len(access) == 2, access


def test_start_up_has_fastapi_read_every_endpoint_source(app: FastAPI) -> None:
    # FastAPI reads an endpoint's source file (for its error messages) the first time a
    # request reaches it, unless it already has: start-up made it read them all.
    read: dict[int, object] | None = getattr(fastapi.routing, "_endpoint_context_cache", None)
    if read is None:
        pytest.skip("this FastAPI reads no endpoint source")
    endpoints = {id(route.dependant.call) for route in api_routes(app.routes)}

    assert len(endpoints) >= 10
    assert endpoints <= set(read)
    assert all(read[key] for key in endpoints)  # the file and line were found
