"""The player routes answered directly give FastAPI's answer, byte for byte.

Each request goes to FastAPI's own stack (`app.handle`) and to the direct routes in front
of it (`direct_player_routes`), on the same app, storage and fake upstream. Status,
headers and body must be the same, and the request must have been answered directly, or
handed to FastAPI, as the case says. The clock is fixed, so `Age` and the backoff's
countdown do not move between the two answers; a first request (not compared) stores
the profile, or marks the unknown player, so both see the same storage.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.application import OwdataApp
from app.api.deps import get_container
from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from app.main import create_app, direct_player_routes

NOW = 1_800_000_000.0
TEKROP_ID = "c65b8798bc61d6ffbba120|cfe9dd77a4382165e2b920bdcc035949"
DIRECT, FASTAPI = True, False

CASES = [
    # Stored profiles, every view, every kind of id.
    ("/players/TeKrop-2217/summary", "", DIRECT),
    (f"/players/{TEKROP_ID}/summary", "", DIRECT),
    ("/players/TeKrop-2217", "", DIRECT),
    ("/players/TeKrop-2217", "gamemode=competitive&platform=pc", DIRECT),
    ("/players/TeKrop-2217/stats/summary", "", DIRECT),
    ("/players/TeKrop-2217/stats/summary", "gamemode=quickplay", DIRECT),
    ("/players/TeKrop-2217/stats/career", "gamemode=quickplay", DIRECT),
    ("/players/TeKrop-2217/stats/career", "gamemode=competitive&hero=ana", DIRECT),
    ("/players/TeKrop-2217/stats/career", "gamemode=quickplay&hero=all-heroes", DIRECT),
    ("/players/TeKrop-2217/stats", "gamemode=quickplay&platform=pc&hero=ana", DIRECT),
    ("/players/JohnV1-1190/stats", "gamemode=competitive", DIRECT),
    ("/players/KIRIKO-12460/stats/summary", "platform=console", DIRECT),
    # A parameter no route declares is ignored, as FastAPI ignores it.
    ("/players/TeKrop-2217/summary", "utm_source=discord", DIRECT),
    ("/players/TeKrop-2217/stats/career", "gamemode=quickplay&x=1&y", DIRECT),
    # Percent-encoded values, decoded as FastAPI decodes them.
    ("/players/TeKrop-2217/stats/career", "gamemode=quick%70lay&hero=%61na", DIRECT),
    # Errors the endpoint raises, through the app's handlers.
    ("/players/Nobody-1234/summary", "", DIRECT),  # unknown: 404 with its backoff
    ("/players/TeKrop-2217/stats/career", "gamemode=quickplay&hero=zzz", DIRECT),
    ("/players", "name=TeKrop", DIRECT),
    ("/players", "name=TeKrop&limit=100000", DIRECT),  # beyond the setting: 422
    # What FastAPI decides: invalid, missing, repeated, unusual.
    ("/players/TeKrop-2217/stats/career", "", FASTAPI),  # gamemode is required
    ("/players/TeKrop-2217/stats/career", "gamemode=", FASTAPI),
    ("/players/TeKrop-2217/stats/career", "gamemode=QUICKPLAY", FASTAPI),
    ("/players/TeKrop-2217/stats/career", "gamemode=quickplay&hero=Ana", FASTAPI),
    ("/players/TeKrop-2217/stats", "gamemode=quickplay&gamemode=competitive", FASTAPI),
    ("/players/TeKrop-2217/stats/summary", "platform=switch", FASTAPI),
    ("/players/Te Krop-2217/summary", "", FASTAPI),
    ("/players/" + "a" * 65 + "/summary", "", FASTAPI),
    ("/players", "", FASTAPI),
    ("/players", "name=TeKrop&limit=0", FASTAPI),
    ("/players", "name=TeKrop&offset=x", FASTAPI),
    ("/players/TeKrop-2217/summary/", "", FASTAPI),  # the slash redirect
    ("/players/TeKrop-2217/stats/nothing", "", FASTAPI),
    ("/heroes", "", FASTAPI),
]


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


async def answer(app: ASGIApp, path: str, query: str, method: str = "GET") -> Answer:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"owdata.test")],
        "client": ("127.0.0.1", 1),
        "server": ("owdata.test", 80),
        "state": {},
    }
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    await app(scope, receive, send)
    start, *bodies = messages
    body = b"".join(m.get("body", b"") for m in bodies)
    return Answer(start["status"], list(start.get("headers", [])), body)


@dataclass
class Stacks:
    app: OwdataApp
    fastapi: ASGIApp
    direct: ASGIApp
    handed: list[str]
    """Paths the direct routes handed on to FastAPI."""


@pytest.fixture
async def stacks(settings: Settings) -> AsyncIterator[Stacks]:
    app = create_app(settings, clock=lambda: NOW)
    assert isinstance(app, OwdataApp)
    async with app.router.lifespan_context(app):
        handed: list[str] = []

        async def fastapi(scope: Scope, receive: Receive, send: Send) -> None:
            handed.append(scope["path"])
            await app.handle(scope, receive, send)

        yield Stacks(app, app.handle, direct_player_routes(app, fastapi), handed)


@pytest.mark.parametrize(("path", "query", "direct"), CASES)
async def test_the_direct_answer_is_fastapis(
    stacks: Stacks, path: str, query: str, direct: bool
) -> None:
    await answer(stacks.fastapi, path, query)  # stores the profile, or marks the player
    expected = await answer(stacks.fastapi, path, query)

    got = await answer(stacks.direct, path, query)

    assert got == expected
    assert stacks.handed == ([] if direct else [path])


async def test_a_player_answered_directly_is_one_fastapi_would_answer_200(stacks: Stacks) -> None:
    """The corpus is not all errors: the stored profiles are answered, with their data."""
    got = await answer(stacks.direct, "/players/TeKrop-2217/stats/career", "gamemode=quickplay")

    assert got.status == 200
    assert b'"ana"' in got.body or b'"all-heroes"' in got.body
    assert (b"x-cache-status", b"miss") in got.headers


@pytest.mark.parametrize("method", ["HEAD", "POST", "DELETE"])
async def test_other_methods_go_to_fastapi(stacks: Stacks, method: str) -> None:
    expected = await answer(stacks.fastapi, "/players/TeKrop-2217/summary", "", method)

    got = await answer(stacks.direct, "/players/TeKrop-2217/summary", "", method)

    assert got == expected
    assert stacks.handed == ["/players/TeKrop-2217/summary"]


async def test_upstream_trouble_is_answered_by_the_apps_handlers(
    stacks: Stacks, upstream: FakeUpstreamServer
) -> None:
    upstream.app.status_override = 500

    expected = await answer(stacks.fastapi, "/players/Someone-1111/summary", "")
    got = await answer(stacks.direct, "/players/Someone-1111/summary", "")

    assert got == expected
    assert got.status == 504
    assert stacks.handed == []


async def test_a_malformed_page_is_answered_by_the_parse_error_handler(
    stacks: Stacks, upstream: FakeUpstreamServer
) -> None:
    """The handler reads `request.app` (its metrics): the direct routes set it."""
    career = "/en-us/career/c65b8798bc61d6ffbba120%7Ccfe9dd77a4382165e2b920bdcc035949/"
    upstream.app.page_overrides[career] = (200, b"<html><body>nothing here</body></html>")

    expected = await answer(stacks.fastapi, "/players/TeKrop-2217/summary", "")
    got = await answer(stacks.direct, "/players/TeKrop-2217/summary", "")

    assert got == expected
    assert got.status == 502
    assert stacks.handed == []


async def test_replaced_dependencies_send_every_request_to_fastapi(stacks: Stacks) -> None:
    """`dependency_overrides` are FastAPI's: while one is set, FastAPI answers."""
    container = stacks.app.state.container
    stacks.app.dependency_overrides[get_container] = lambda: container

    got = await answer(stacks.direct, "/players/TeKrop-2217/summary", "")

    assert got.status == 200
    assert stacks.handed == ["/players/TeKrop-2217/summary"]
