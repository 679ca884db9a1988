"""Warm-up over a real connection: the work uvicorn and the edge stack do once per process.

`app.api.warmup` sends requests through FastAPI's own stack in the process. The first
request over a connection still paid for the code that stack never runs: asyncio
accepting a connection and building its transport, uvicorn's HTTP protocol (parser
callbacks, proxy headers, ASGI `send`, closing), and the edge layers in front of FastAPI
(response cache, request metrics, access log): about 1 ms of a 1–2 ms cold answer, since
Python specialises each bytecode instruction only once it has run.

`warm_connections(config, app)` runs those paths for real: it serves `app` with uvicorn's
own protocol (from `config`, as the real server does) on a private loopback socket of
its own, and sends it the warm-up requests over fresh connections. `app` is the edge
stack's unseen copy (`OwdataApp.unseen_edge`): its cache and counts are its own and are
thrown away, so nothing is stored, counted or logged where anyone can see it.
"""

from __future__ import annotations

import asyncio
import copy

import uvicorn
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.server import ServerState

from app.api.warmup import WARM_UP_REQUESTS


async def warm_connections(config: uvicorn.Config, app: ASGIApp) -> list[int]:
    """Serve `app` as `config` serves the real app, on a private loopback socket; send it
    each warm-up request over a new connection; return the statuses received."""
    private = copy.copy(config)  # the same protocol class, limits and proxy settings
    private.loaded_app = (
        ProxyHeadersMiddleware(app, trusted_hosts=config.forwarded_allow_ips)  # type: ignore[arg-type]
        if config.proxy_headers
        else app
    )
    loop = asyncio.get_running_loop()
    state = ServerState()
    server = await loop.create_server(
        lambda: private.http_protocol_class(  # type: ignore[call-arg]
            config=private, server_state=state, app_state={}, _loop=loop
        ),
        host="127.0.0.1",
        port=0,
    )
    try:
        port = server.sockets[0].getsockname()[1]
        return [await _get(port, path, query) for path, query in WARM_UP_REQUESTS]
    finally:
        server.close()
        await server.wait_closed()


async def _get(port: int, path: str, query: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        target = f"{path}?{query.decode()}" if query else path
        request = f"GET {target} HTTP/1.1\r\nHost: warm-up\r\nConnection: close\r\n\r\n"
        writer.write(request.encode())
        answer = await reader.read()  # the server closes the connection after answering
    finally:
        writer.close()
        await writer.wait_closed()
    return int(answer.split(b" ", 2)[1])
