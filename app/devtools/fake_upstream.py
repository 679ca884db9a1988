"""A fake Blizzard site that answers from the captured pages, over real HTTP.

It serves `blizzard/manifest.json` of the fixtures folder (see its README): routes are
tried in order, `*` matches one path segment, the query string is ignored unless a route
gives `query`. Overlays add or replace routes without copying fixtures (a career page
served without redirect, a mutated page): see `app.devtools.fake_routes`. Tests can also
inject faults (an HTTP status for every page, or a delay) and read how many times each
path was asked for, in-process or over HTTP:

- `GET  /__fake__/calls`  → `{"total": n, "paths": {"/en-us/heroes/": 2, ...}}`
- `POST /__fake__/reset`  → clears counters, faults and routes added by `overlay()`
- `POST /__fake__/fault?status=403&delay=0.5` → every page answers 403 after 0.5 s

A path no route matches answers **501 "not captured: <path>"** (and logs a warning): the
app reports it as 504 "Couldn't get Blizzard page (HTTP 501)", never as Blizzard's 404 or
as a page that no longer parses. Blizzard's own 404 pages are routes like any other (the
development fixtures have `*` routes for them).

Run it with `owdata fake-upstream --port 8081 [--overlay routes.json]`, then
`BLIZZARD_HOST=http://127.0.0.1:8081 owdata serve`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from starlette.types import Receive as ASGIReceiveCallable
from starlette.types import Scope
from starlette.types import Send as ASGISendCallable

from app.devtools.fake_routes import Route, RouteEntry, build_routes, load_routes, segments_of

__all__ = ["FakeUpstream", "FakeUpstreamServer", "Route", "load_routes"]

CONTROL_PREFIX = "/__fake__/"
NOT_CAPTURED_STATUS = 501
"""The answer for a path no route matches: an upstream error, not one of Blizzard's pages."""

logger = logging.getLogger(__name__)


class FakeUpstream:
    """The ASGI app. `status_override`/`delay` inject faults; `calls` counts requests.

    `overlay` (entries shaped like the manifest's, see `app.devtools.fake_routes`) is
    tried before the manifest for the app's life; `overlay()` adds more until `reset()`.
    """

    def __init__(self, root: Path, overlay: Iterable[RouteEntry] = ()) -> None:
        self.root = root
        self.routes = build_routes(root, overlay) + load_routes(root)
        self._base_routes = list(self.routes)
        self.calls: Counter[str] = Counter()
        self.status_override: int | None = None
        self.delay = 0.0
        self.page_overrides: dict[str, tuple[int, bytes]] = {}
        """Exact path → (status, body): answer one page differently (e.g. a truncated page)."""
        self._bodies: dict[Path, bytes] = {}

    def reset(self) -> None:
        """Clear counters, faults and the routes added by `overlay()`."""
        self.calls.clear()
        self.status_override = None
        self.delay = 0.0
        self.page_overrides.clear()
        self.routes = list(self._base_routes)

    def overlay(self, entries: Iterable[RouteEntry]) -> None:
        """Try `entries` (in their order) before every current route, until `reset()`."""
        self.routes = build_routes(self.root, entries) + self.routes

    def body_of(self, path: str) -> bytes:
        """The body served for `path` (after no redirect), for building faults."""
        for route in self.routes:
            if route.matches(segments_of(path), ""):
                return self._body(route)
        raise KeyError(path)

    def _body(self, route: Route) -> bytes:
        if route.body is not None:
            return route.body
        file = route.file
        if file is None:
            return b""
        if file not in self._bodies:
            self._bodies[file] = file.read_bytes()
        return self._bodies[file]

    async def __call__(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        if scope["type"] != "http":
            return
        path = scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0] or scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        if path.startswith(CONTROL_PREFIX):
            await self._control(path.removeprefix(CONTROL_PREFIX), query, send)
            return
        self.calls[path + ("?" + query if query else "")] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status_override is not None:
            await _respond(send, self.status_override, "text/html", b"<html>fault</html>")
            return
        if path in self.page_overrides:
            status, body = self.page_overrides[path]
            await _respond(send, status, "text/html; charset=utf-8", body)
            return
        for route in self.routes:
            if route.matches(segments_of(path), query):
                headers = [(b"location", route.location.encode())] if route.location else []
                body = self._body(route)
                await _respond(send, route.status, route.content_type, body, headers)
                return
        await self._not_captured(send, path + ("?" + query if query else ""))

    async def _not_captured(self, send: ASGISendCallable, target: str) -> None:
        manifest = self.root / "blizzard" / "manifest.json"
        logger.warning("not captured: %s (no route of %s matches it)", target, manifest)
        body = (
            f"not captured: {target} matches no route of {manifest} (capture it with "
            "`owdata capture`, or add a route)\n"
        )
        await _respond(send, NOT_CAPTURED_STATUS, "text/plain; charset=utf-8", body.encode())

    async def _control(self, action: str, query: str, send: ASGISendCallable) -> None:
        if action == "calls":
            payload: dict[str, Any] = {"total": sum(self.calls.values()), "paths": self.calls}
            await _respond(send, 200, "application/json", json.dumps(payload).encode())
            return
        if action == "reset":
            self.reset()
        elif action == "fault":
            params = {key: values[-1] for key, values in parse_qs(query).items()}
            self.status_override = int(params["status"]) if params.get("status") else None
            self.delay = float(params.get("delay") or 0)
        else:
            await _respond(send, 404, "text/plain", b"unknown control action")
            return
        await _respond(send, 204, "text/plain", b"")


async def _respond(
    send: ASGISendCallable,
    status: int,
    content_type: str,
    body: bytes,
    extra_headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", b"%d" % len(body))]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": headers + (extra_headers or []),
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


class FakeUpstreamServer:
    """Runs a `FakeUpstream` with uvicorn on a loopback port, in a thread of its own.

    Example:
        >>> with FakeUpstreamServer(fixtures_dir()) as server:  # doctest: +SKIP
        ...     print(server.url)  # http://127.0.0.1:54321
    """

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        overlay: Iterable[RouteEntry] = (),
    ) -> None:
        self.app = FakeUpstream(root, overlay)
        config = uvicorn.Config(
            self.app, host=host, port=port, log_level="warning", lifespan="off", loop="asyncio"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        sockets = self._server.servers[0].sockets
        host, port = sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeUpstreamServer:
        self._thread.start()
        for _ in range(500):
            if self._server.started:
                return self
            if not self._thread.is_alive():
                break
            threading.Event().wait(0.01)
        raise RuntimeError("the fake upstream server did not start")

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
