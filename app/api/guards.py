"""Request guards that run before routing: absurdly long query strings get a JSON 414."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.responses import dump_json


class QueryLengthGuard:
    def __init__(self, app: ASGIApp, *, max_length: int) -> None:
        self.app = app
        self.max_length = max_length

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope["query_string"]) > self.max_length:
            body = dump_json(
                {"error": f"The query string is longer than {self.max_length} characters."}
            )
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
                (b"cache-control", b"no-store"),
            ]
            await send({"type": "http.response.start", "status": 414, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
