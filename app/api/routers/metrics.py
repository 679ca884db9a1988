"""`GET /metrics`: the Prometheus exposition of this process (or of every worker, in
multiprocess mode), left out of the OpenAPI schema.

Scrape-time gauges are refreshed first (`Metrics.refresh`, each source bounded by a
timeout), then the registry is rendered in a thread: rendering is CPU work that should
not hold the event loop while cached requests are waiting.

Example:
    >>> app.include_router(metrics_router(metrics))
    >>> server = await start_metrics_server(metrics, "0.0.0.0", 9000)  # `owdata worker`
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response

from app.metrics import Metrics

METRICS_PATH = "/metrics"
_REQUEST_TIMEOUT = 5.0
_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


async def scrape(metrics: Metrics, accept: str | None) -> tuple[bytes, str]:
    """Refresh the scrape-time gauges, then render (body, content type)."""
    await metrics.refresh()
    metrics.flush()  # in this (the loop's) thread, before rendering in another
    return await asyncio.to_thread(metrics.render, accept)


def metrics_router(metrics: Metrics) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(METRICS_PATH)
    async def get_metrics(request: Request) -> Response:
        body, content_type = await scrape(metrics, request.headers.get("accept"))
        headers = {"content-type": content_type, "cache-control": "no-store"}
        return Response(body, headers=headers)

    return router


async def start_metrics_server(metrics: Metrics, host: str, port: int) -> asyncio.Server:
    """Serve `GET /metrics` on its own port, for processes without an HTTP API
    (`owdata worker`). Close it with `server.close(); await server.wait_closed()`.

    A deliberately tiny HTTP/1.1 responder (one request per connection): Prometheus is
    its only client, and it avoids a second web server with its own signal handling.
    """

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(_REQUEST_TIMEOUT):
                head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, target, _ = request_line.split(" ", 2)
            if method != "GET" or target.split("?", 1)[0] != METRICS_PATH:
                writer.write(_NOT_FOUND)
                return
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in header_lines if line)
            }
            body, content_type = await scrape(metrics, headers.get("accept"))
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
                b"Cache-Control: no-store\r\nConnection: close\r\n\r\n%s"
                % (content_type.encode(), len(body), body)
            )
            await writer.drain()
        except (TimeoutError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # a malformed or slow request just gets its connection closed
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port)
