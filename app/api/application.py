"""The FastAPI application class, with an edge stack in front of FastAPI's own.

FastAPI runs several middlewares on every request (error handling, telemetry, body
limits) before routing. Cache hits need none of them, so HTTP requests first go through
`edge`: pure ASGI layers (the response cache, which also refuses absurd query strings
and reports its hits to the metrics; then the metrics middleware) that answer hits
themselves and hand everything else to FastAPI's stack (`handle`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send


class OwdataApp(FastAPI):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.edge: ASGIApp | None = None
        # Builds an edge stack like `edge` (same layers, same settings) in front of
        # `handle`, with a cache and request counts of its own that no one reads: start-up
        # sends its warm-up requests through one, over a real connection (`app.serve`).
        self.unseen_edge: Callable[[], ASGIApp] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.edge is not None and scope["type"] == "http":
            await self.edge(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """FastAPI's own middleware stack and routing (the edge stack's innermost layer)."""
        await super().__call__(scope, receive, send)
