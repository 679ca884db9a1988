"""Counts and times every API request by route template, method and status.

A pure ASGI middleware in front of FastAPI's stack. Cache hits never get there: the
response cache reports each hit it answers through `recorder_for` (cheaper than wrapping
`send` for every hit, the hottest path there is). The route template is computed from the
path by `RouteTemplates`: a precompiled mapping (an exact-path dict, then one regex with
a group per templated route) behind a bounded cache of recently seen paths. Any other
path is labelled `other` and unusual methods `OTHER`, so scanners cannot create series.
Per request this costs a dict lookup, two clock reads and a few integer updates
(`app.metrics.http`): measured with `bench.metrics_cost`.

Example:
    >>> inner = MetricsMiddleware(app.handle, metrics=metrics)
    >>> app.edge = ResponseCacheMiddleware(inner, cache=cache, recorder_for=inner.recorder_for)
    >>> ROUTES("/players/TeKrop-2217/stats/summary")
    '/players/{player_id}/stats/summary'
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.response_cache import REQUEST_METHOD
from app.metrics.http import HttpMetrics

OTHER = "other"
ROUTE_TEMPLATES = (
    "/",
    "/docs",
    "/docs/oauth2-redirect",
    "/docs/assets/{path:path}",
    "/openapi.json",
    "/heroes",
    "/heroes/stats",
    "/heroes/{hero_key}",
    "/roles",
    "/maps",
    "/gamemodes",
    "/players",
    "/players/{player_id}",
    "/players/{player_id}/summary",
    "/players/{player_id}/stats",
    "/players/{player_id}/stats/summary",
    "/players/{player_id}/stats/career",
    "/static/{path:path}",
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_PARAM = re.compile(r"\{(\w+)(:path)?\}")
_SEEN_MAX = 4096


class RouteTemplates:
    """Maps a request path to the route template it matches, or `other`."""

    def __init__(self, templates: Iterable[str]) -> None:
        self._exact: dict[str, str] = {}
        self._templated: list[str] = []
        alternatives = []
        for template in templates:
            if "{" not in template:
                self._exact[template] = template
                continue
            pattern, position = [], 0
            for param in _PARAM.finditer(template):
                pattern.append(re.escape(template[position : param.start()]))
                pattern.append(".+" if param.group(2) else "[^/]+")
                position = param.end()
            pattern.append(re.escape(template[position:]))
            alternatives.append(f"({''.join(pattern)})")
            self._templated.append(_PARAM.sub(r"{\1}", template))  # label without `:path`
        # One regex with a group per template: `lastindex` says which one matched.
        self._regex = re.compile("|".join(alternatives) or "(?!)")
        # Recently seen paths: a hot cached URL costs one dict lookup, not a regex match.
        self._seen: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        template = self._seen.get(path)
        if template is None:
            template = self._match(path)
            if len(self._seen) >= _SEEN_MAX:  # scanners: start over rather than grow
                self._seen.clear()
            self._seen[path] = template
        return template

    def _match(self, path: str) -> str:
        if len(path) > 1 and path[-1] == "/":
            path = path[:-1]  # `/heroes/` is answered by a redirect to `/heroes`
        exact = self._exact.get(path)
        if exact is not None:
            return exact
        match = self._regex.fullmatch(path)
        if match is None or match.lastindex is None:
            return OTHER
        return self._templated[match.lastindex - 1]


ROUTES = RouteTemplates(ROUTE_TEMPLATES)


class RequestMetrics(Protocol):
    """Where requests are counted: `app.metrics.Metrics`, or a private `HttpMetrics` for
    requests no one may see (the start-up warm-up's)."""

    @property
    def http(self) -> HttpMetrics: ...


class MetricsMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: RequestMetrics,
        routes: RouteTemplates = ROUTES,
        skip: Iterable[str] = ("/metrics",),
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes
        self.skip = frozenset(skip)  # scrapes are not API usage

    def recorder_for(self, path: str, method: str) -> Callable[[int, float], None]:
        """How to count a request for `path` answered before this middleware (a response
        cache hit): `record(status, seconds)`. The response cache keeps it per entry."""
        method = method if method in METHODS else "OTHER"
        return self.metrics.http.recorder(self.routes(path), method).served

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.skip:
            await self.app(scope, receive, send)
            return
        route = self.routes(scope["path"])
        method = scope.get(REQUEST_METHOD) or scope["method"]  # HEAD, asked as GET
        method = method if method in METHODS else "OTHER"
        recorder = self.metrics.http.recorder(route, method)  # bounded: routes x methods
        status = 500  # what the client gets if the app raises before answering

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        recorder.start()
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            recorder.finish(status, time.perf_counter() - started)
