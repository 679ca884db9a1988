"""Player ids and search names that would steer the upstream URL are refused (issue 12 #1).

Before the fix `/players/..-1234` and `/players?name=..` fetched Blizzard's `/en-us/search/`
and `/players/..` fetched `/en-us/` as a career page. Now each is a JSON 422 and nothing is
asked upstream.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from fastapi import FastAPI

from app.devtools.fake_upstream import FakeUpstreamServer

STEERING = [
    "/players/..-1234",
    "/players/..-1234/summary",
    "/players/.-1/stats/summary",
    "/players/%2e%2e",
    "/players/%2e%2e/stats/career?gamemode=quickplay",
    "/players/%2E%2E-1234/stats?gamemode=quickplay",
    "/players?name=..",
    "/players?name=..-1234",
    "/players?name=%2e%2e",
    "/players?name=.",
    "/players?name=Te.Krop",
]


@pytest.mark.parametrize("url", STEERING)
async def test_dot_segments_are_refused_without_upstream_calls(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer, url: str
) -> None:
    response = await client.get(url)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"].startswith("Invalid request: ")
    assert body["detail"]
    assert response.headers["cache-control"] == "no-store"
    assert sum(upstream.app.calls.values()) == 0


async def _raw_get(app: FastAPI, raw_path: bytes) -> tuple[int, dict[str, Any]]:
    """GET a path exactly as given (httpx would resolve `..` before sending)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(raw_path.decode("ascii")),
        "raw_path": raw_path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"owdata.test")],
        "client": ("127.0.0.1", 12345),
        "server": ("owdata.test", 80),
    }
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return status, json.loads(body)


@pytest.mark.parametrize(
    "raw_path", [b"/players/..", b"/players/.", b"/players/../summary", b"/players/a%2F.."]
)
async def test_raw_dot_segments_are_refused(
    app: FastAPI, upstream: FakeUpstreamServer, raw_path: bytes
) -> None:
    status, body = await _raw_get(app, raw_path)

    assert status in (404, 422)
    assert "error" in body
    assert sum(upstream.app.calls.values()) == 0


async def test_valid_ids_in_other_scripts_still_reach_blizzard(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    response = await client.get("/players/Лёша-1234/summary")

    assert response.status_code == 404  # the captured site does not know this player
    assert response.json()["error"] == "Player not found"
    assert upstream.app.calls["/en-us/career/%D0%9B%D1%91%D1%88%D0%B0-1234/"] == 1
