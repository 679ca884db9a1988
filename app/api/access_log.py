"""The access log: one line per HTTP request, cache hits included.

The outermost layer of the edge stack (installed with `ACCESS_LOG=true`), so it sees
every request, including the hits the response cache answers before FastAPI. Each line
has the client address (as uvicorn resolved it: the peer, or what a trusted proxy sent
in `X-Forwarded-For`), the method, the path with its query string as received, the
status, the duration and `X-Cache-Status` (`-` when the answer has none):

    203.0.113.9 "GET /heroes?role=tank HTTP/1.1" 200 0.42ms cache=hit

The middleware only gathers the fields; `write` (the composition root's
`app.logs.AccessLineWriter`) turns them into a line of the shared log format. Its cost
per request (a wrapped `send`, a header scan, a dict, one line) is measured by
`bench.access_log_cost`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "owdata.access"
"""The logger name access lines carry."""
ACCESS_FORMAT = (
    '%(client)s "%(method)s %(path)s HTTP/%(http_version)s" %(status)d %(duration_ms).2fms '
    "cache=%(cache)s"
)
"""An access line's message, from its fields."""
AccessWrite = Callable[[dict[str, Any]], None]


def _target(scope: Scope) -> str:
    """The path and query string as the client sent them (percent-encoded, so a line
    never holds a control character a client slipped into the path)."""
    raw: bytes | None = scope.get("raw_path")
    path = scope["path"].encode("unicode_escape") if raw is None else raw.split(b"?", 1)[0]
    query: bytes = scope["query_string"]
    return (path + b"?" + query if query else path).decode("latin-1")


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp, *, write: AccessWrite) -> None:
        self.app = app
        self.write = write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering
        cache = "-"

        async def send_and_watch(message: Message) -> None:
            nonlocal status, cache
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", ()):
                    if name == b"x-cache-status":
                        cache = value.decode("latin-1")
                        break
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            client = scope.get("client")
            fields: dict[str, Any] = {
                "client": client[0] if client else "-",
                "method": scope["method"],
                "path": _target(scope),
                "http_version": scope.get("http_version", "1.1"),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                "cache": cache,
            }
            self.write(fields)
