"""Upstream protection and graceful degradation, end to end (issue: upstream protection)."""

from __future__ import annotations

import asyncio

import httpx

from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from tests.e2e.conftest import eventually, running
from tests.valkey_server import ValkeyProcess


def calls(upstream: FakeUpstreamServer) -> int:
    return sum(upstream.app.calls.values())


async def test_a_403_opens_a_penalty_window_without_upstream_calls(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    upstream.app.status_override = 403

    first = await client.get("/heroes")
    upstream.app.status_override = None  # Blizzard would answer again…
    during = [await client.get(path) for path in ("/roles", "/heroes/ana", "/players/X-1")]

    assert first.status_code == 503
    assert 0 < int(first.headers["retry-after"]) <= 60
    for response in during:
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/json"
        assert 0 < int(response.headers["retry-after"]) <= 60
    assert calls(upstream) == 1  # …but nothing is sent inside the window


async def test_the_penalty_window_closes(settings: Settings, upstream: FakeUpstreamServer) -> None:
    short = settings.model_copy(update={"throttle_penalty_duration": 0.5})
    async with running(short) as http:
        upstream.app.status_override = 403
        refused = await http.get("/roles")
        upstream.app.status_override = None
        await asyncio.sleep(0.6)
        recovered = await http.get("/roles")

    assert refused.status_code == 503
    assert recovered.status_code == 200


async def test_40_concurrent_first_requests_fetch_each_page_once(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    upstream.app.delay = 0.2  # keep the first fetch in flight while the others arrive

    responses = await asyncio.gather(
        *(client.get("/players/TeKrop-2217/summary") for _ in range(40))
    )

    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert set(upstream.app.calls.values()) == {1}
    assert len(upstream.app.calls) == 3  # search, career redirect, career page


async def test_stale_profile_is_served_while_blizzard_fails(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    quick = settings.model_copy(
        update={"player_staleness_threshold": 1, "career_path_cache_timeout": 1}
    )
    async with running(quick) as http:
        first = await http.get("/players/KIRIKO-12460/summary")
        await asyncio.sleep(1.1)
        upstream.app.status_override = 500
        stale = [await http.get("/players/KIRIKO-12460/summary") for _ in range(3)]

    assert first.status_code == 200
    for response in stale:
        assert response.status_code == 200
        assert response.content == first.content
        assert response.headers["x-cache-status"] == "stale"


async def test_requests_keep_answering_while_valkey_is_down(
    settings: Settings, upstream: FakeUpstreamServer, valkey_server: ValkeyProcess, valkey_url: str
) -> None:
    shared = settings.model_copy(update={"valkey_url": valkey_url})
    paths = ["/heroes", "/roles", "/heroes/ana", "/maps", "/players/TeKrop-2217/summary"]
    async with running(shared) as http:
        warm = [await http.get(p) for p in paths]
        valkey_server.stop()
        try:
            down = [await http.get(p) for p in paths]
            new = await http.get("/heroes", params={"role": "tank"})  # never cached
        finally:
            valkey_server.restart()
        back = [await http.get(p) for p in paths]

    assert [r.status_code for r in warm + down + back] == [200] * 3 * len(paths)
    assert [r.content for r in down] == [r.content for r in warm]
    assert new.status_code == 200
    assert all(r.headers["x-cache-status"] == "miss" for r in down)  # storage answered


async def test_valkey_shares_the_response_cache_between_processes(
    settings: Settings, upstream: FakeUpstreamServer, valkey_url: str
) -> None:
    shared = settings.model_copy(update={"valkey_url": valkey_url})
    async with running(shared) as one, running(shared) as two:
        first = await one.get("/heroes/ana")
        second = await two.get("/heroes/ana")

    assert first.headers["x-cache-status"] == "miss"
    assert second.headers["x-cache-status"] == "hit"
    assert second.content == first.content


async def test_stale_static_data_is_refreshed_by_a_job(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    quick = settings.model_copy(
        update={
            "roles_staleness_threshold": 1,
            "heroes_path_cache_timeout": 1,
            "stale_answer_cache_timeout": 0,  # the refreshed answer shows at once
        }
    )
    async with running(quick) as http:
        await http.get("/roles")
        await asyncio.sleep(1.1)
        upstream.app.reset()
        stale = await http.get("/roles")
        answers: list[httpx.Response] = []

        async def refreshed() -> bool:
            # Not just "Blizzard was asked": the job has stored the page once this answer
            # stops being stale (asking again meanwhile joins the queued job).
            answers.append(await http.get("/roles"))
            return answers[-1].headers["x-cache-status"] != "stale"

        await eventually(refreshed)

    fresh = answers[-1]
    assert stale.headers["x-cache-status"] == "stale"
    assert fresh.headers["x-cache-status"] in {"miss", "hit"}
    assert int(fresh.headers["age"]) <= 1
    assert upstream.app.calls["/en-us/"] == 1  # one refresh, however often it was asked
