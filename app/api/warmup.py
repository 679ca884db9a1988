"""Start-up warm-up: the work a first request would otherwise pay, done before serving.

FastAPI builds each router's routes (dependencies, parameter and response fields, their
pydantic validators) the first time a request walks them; the default thread pool (used
by parsers and storage) and anyio's thread machinery are created on first use; error
handlers render their first body. `warm_up(app)` sends a few requests through the
application's own stack in the process, before the socket accepts:

- a path no route matches: every router is walked, so every route is built, and the
  JSON 404 handler runs;
- a query parameter that does not validate: the 422 handler and validation errors;
- `/maps` and `/gamemodes`: a whole routed answer (dependency, service, render) from
  curated data, without storage or upstream.

None touches storage, the upstream or the response cache (`handle` is FastAPI's stack
without the edge layers), so nothing is stored and no metric is counted.

FastAPI also reads each endpoint's source file (`inspect.getsourcelines`, for its error
messages) the first time a request reaches that endpoint: 0.3-0.5 ms of file reading and
tokenizing on the event loop. `read_endpoint_sources(app)` does it for every route at
start-up, in a thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import anyio.to_thread
import fastapi.routing
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message

WARM_UP_REQUESTS = (
    ("/__owdata_warm_up__", b""),  # 404: walks (and builds) every route
    ("/maps", b"gamemode=__warm_up__"),  # 422: validation error rendering
    ("/maps", b""),
    ("/gamemodes", b""),
)


async def warm_up(handle: ASGIApp) -> list[int]:
    """Send the warm-up requests to `handle` (FastAPI's own stack); return their statuses."""
    await asyncio.to_thread(int)  # the default executor and its first thread
    await anyio.to_thread.run_sync(int)  # anyio's backend and worker thread
    return [await _get(handle, path, query) for path, query in WARM_UP_REQUESTS]


async def _get(handle: ASGIApp, path: str, query: bytes) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"warm-up")],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 0),
        "state": {},
    }
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await handle(scope, receive, send)
    return status


def api_routes(routes: list[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route, those of included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        nested = getattr(route, "original_router", None)  # FastAPI's included routers
        if nested is not None:
            yield from api_routes(nested.routes)


async def read_endpoint_sources(app: FastAPI) -> int:
    """Have FastAPI read the source of every endpoint now (it keeps what it read, by
    function); return how many endpoints. 0 when this FastAPI reads none (the private
    helper is gone): then there is nothing to warm."""
    extract: Callable[[Any], object] | None = getattr(
        fastapi.routing, "_extract_endpoint_context", None
    )
    if extract is None:
        return 0
    endpoints = {id(r.dependant.call): r.dependant.call for r in api_routes(app.routes)}

    def read_all() -> None:
        for endpoint in endpoints.values():
            extract(endpoint)

    await asyncio.to_thread(read_all)
    return len(endpoints)
