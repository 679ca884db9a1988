"""Trailing-slash redirects with a relative `Location`.

Starlette's own redirect (`redirect_slashes`) builds an absolute URL from the request's
`Host` header, so a direct request with `Host: evil.example` was sent to
`http://evil.example/...`. This one answers `Location: /heroes?role=tank`: the client
stays on the host (and scheme) it used, whatever the headers say.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response
from starlette.routing import Match, Router
from starlette.types import Receive, Scope, Send


def relative_location(scope: Scope, path: str) -> str:
    """`path` (decoded) with the request's query string, as a relative URL."""
    location = quote(path, safe="/:@!$&'()*+,;=-._~")
    query: bytes = scope.get("query_string", b"")
    return f"{location}?{query.decode('latin-1')}" if query else location


def install_relative_redirects(router: Router) -> None:
    """Replace `router`'s slash redirects by relative ones; unknown paths stay 404."""
    router.redirect_slashes = False
    not_found = router.default

    async def redirect_or_not_found(scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if scope["type"] == "http" and path != "/":
            other = path.rstrip("/") if path.endswith("/") else path + "/"
            if other and any(
                route.matches({**scope, "path": other})[0] is not Match.NONE
                for route in router.routes
            ):
                headers = {"Location": relative_location(scope, other)}
                await Response(status_code=307, headers=headers)(scope, receive, send)
                return
        await not_found(scope, receive, send)

    router.default = redirect_or_not_found
