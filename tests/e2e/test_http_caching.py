"""Cache → storage → upstream, and the HTTP caching headers that go with it."""

from __future__ import annotations

import httpx
import pytest

from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from tests.e2e.conftest import running


async def test_miss_then_hit_returns_the_same_bytes_without_upstream_calls(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    miss = await client.get("/heroes/ana")
    calls_after_miss = sum(upstream.app.calls.values())
    hit = await client.get("/heroes/ana")

    assert miss.status_code == hit.status_code == 200
    assert miss.headers["x-cache-status"] == "miss"
    assert hit.headers["x-cache-status"] == "hit"
    assert hit.content == miss.content
    assert hit.headers["etag"] == miss.headers["etag"]
    assert hit.headers["cache-control"] == miss.headers["cache-control"] == "public, max-age=86400"
    assert int(hit.headers["age"]) >= 0
    assert calls_after_miss == 2  # hero page + heroes list (for the portrait)
    assert sum(upstream.app.calls.values()) == calls_after_miss


async def test_equivalent_queries_share_one_entry(client: httpx.AsyncClient) -> None:
    await client.get("/heroes?role=tank&gamemode=quickplay&utm_source=x")

    swapped = await client.get("/heroes?gamemode=quickplay&role=tank")

    assert swapped.headers["x-cache-status"] == "hit"


async def test_if_none_match_gets_304_on_miss_and_hit(client: httpx.AsyncClient) -> None:
    first = await client.get("/roles")
    etag = first.headers["etag"]

    hit = await client.get("/roles", headers={"If-None-Match": etag})
    other = await client.get("/roles", headers={"If-None-Match": '"nope"'})

    assert hit.status_code == 304
    assert hit.content == b""
    assert hit.headers["etag"] == etag
    assert other.status_code == 200
    assert other.content == first.content


async def test_head_answers_like_get_before_and_after_the_entry_is_cached(
    client: httpx.AsyncClient,
) -> None:
    cold = await client.head("/heroes", params={"role": "tank"})  # nothing cached yet
    get = await client.get("/heroes", params={"role": "tank"})
    warm = await client.head("/heroes", params={"role": "tank"})
    unknown = await client.head("/heroes/not-a-hero")

    assert cold.status_code == get.status_code == warm.status_code == 200
    assert cold.content == warm.content == b""
    assert cold.headers["content-length"] == str(len(get.content))
    assert cold.headers["etag"] == get.headers["etag"] == warm.headers["etag"]
    assert cold.headers["x-cache-status"] == "miss"  # the HEAD miss filled the entry
    assert get.headers["x-cache-status"] == warm.headers["x-cache-status"] == "hit"
    assert unknown.status_code == 404
    assert unknown.content == b""


async def test_storage_answers_after_a_restart_without_upstream_calls(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    async with running(settings) as http:
        first = await http.get("/heroes", params={"role": "support"})
    upstream.app.reset()

    async with running(settings) as http:  # new process: empty in-process cache
        again = await http.get("/heroes", params={"role": "support"})

    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["x-cache-status"] == "miss"
    assert sum(upstream.app.calls.values()) == 0


async def test_unknown_hero_key_is_404_without_asking_for_its_page(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    response = await client.get("/heroes/not-a-hero")

    assert response.status_code == 404
    assert response.json() == {"error": "Hero not found or not released yet"}
    assert set(upstream.app.calls) == {"/en-us/heroes/"}


async def test_stale_storage_is_served_when_upstream_fails(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    now = [1_800_000_000.0]
    async with running(settings, clock=lambda: now[0]) as http:
        fresh = await http.get("/roles")
    now[0] += settings.roles_staleness_threshold + 10
    upstream.app.status_override = 500

    async with running(settings, clock=lambda: now[0]) as http:
        stale = await http.get("/roles")
        again = await http.get("/roles")

    assert stale.status_code == 200
    assert stale.content == fresh.content
    assert stale.headers["x-cache-status"] == "stale"
    assert int(stale.headers["age"]) >= settings.roles_staleness_threshold
    assert "stale-while-revalidate" in stale.headers["cache-control"]
    assert again.headers["x-cache-status"] == "stale"  # a reused stale answer still says so


async def test_upstream_5xx_is_a_504_json_and_not_cached(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    upstream.app.status_override = 502

    failed = await client.get("/heroes")
    upstream.app.reset()
    recovered = await client.get("/heroes")

    assert failed.status_code == 504
    assert failed.json() == {
        "error": "Couldn't get Blizzard page (HTTP 502): Blizzard answered HTTP 502"
    }
    assert failed.headers["cache-control"] == "no-store"
    assert recovered.status_code == 200
    assert recovered.headers["x-cache-status"] == "miss"


async def test_upstream_403_is_a_503_with_retry_after(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    upstream.app.status_override = 403

    response = await client.get("/roles", params={"locale": "en-us"})

    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert "rate limiting" in response.json()["error"]


async def test_upstream_timeout_is_a_504_json(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    upstream.app.delay = 1.0
    quick = settings.model_copy(update={"upstream_timeout": 0.2})

    async with running(quick) as http:
        response = await http.get("/heroes")

    assert response.status_code == 504
    assert (
        response.json()["error"] == "Couldn't get Blizzard page: Blizzard took too long to respond"
    )


@pytest.mark.parametrize(
    ("path", "name", "first", "second"),
    [
        ("/maps", "gamemode", "escort", "control"),
        ("/heroes", "role", "tank", "support"),
        ("/players", "offset", "0", "1"),
        ("/players/TeKrop-2217/summary", "platform", "pc", "console"),
    ],
)
async def test_a_repeated_parameter_is_a_422_on_every_route_and_nothing_is_cached(
    client: httpx.AsyncClient,
    upstream: FakeUpstreamServer,
    path: str,
    name: str,
    first: str,
    second: str,
) -> None:
    extra = "&name=Player" if path == "/players" else ""
    one_way = await client.get(f"{path}?{name}={first}&{name}={second}{extra}")
    other_way = await client.get(f"{path}?{name}={second}&{name}={first}{extra}")

    for response in (one_way, other_way):
        assert response.status_code == 422
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body["error"] == f"Invalid request: {name}: Input should be given once"
        assert body["detail"][0]["loc"] == ["query", name]
    assert sorted(one_way.json()["detail"][0]["input"]) == sorted([first, second])
    assert sum(upstream.app.calls.values()) == 0


@pytest.mark.parametrize(
    ("method", "path", "fault", "status"),
    [
        ("GET", "/heroes/stats?platform=pc&gamemode=competitive&region=europe&map=aatlis", 0, 400),
        ("GET", "/no-such-route", 0, 404),
        ("POST", "/heroes", 0, 405),
        ("GET", "/heroes?" + "x=1&" * 300, 0, 414),
        ("GET", "/heroes?role=nobody", 0, 422),
        ("GET", "/maps?gamemode=escort&gamemode=control", 0, 422),
        ("GET", "/players?name=Dekk&limit=101", 0, 422),
        ("GET", "/heroes", 403, 503),
        ("GET", "/heroes", 500, 504),
    ],
)
async def test_failures_and_refusals_are_no_store(
    client: httpx.AsyncClient,
    upstream: FakeUpstreamServer,
    method: str,
    path: str,
    fault: int,
    status: int,
) -> None:
    upstream.app.status_override = fault or None
    response = await client.request(method, path)

    assert response.status_code == status
    assert response.headers.get_list("cache-control") == ["no-store"]
    assert "error" in response.json()


async def test_a_page_blizzard_broke_is_a_502_no_store(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    upstream.app.page_overrides["/en-us/heroes/"] = (200, b"<html><body></body></html>")
    response = await client.get("/heroes")

    assert response.status_code == 502
    assert response.headers.get_list("cache-control") == ["no-store"]


async def test_answers_about_missing_data_are_cacheable_for_their_own_time(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    hero = await client.get("/heroes/not-a-hero")
    player = await client.get("/players/Unknown-1234/summary")

    assert hero.status_code == 404
    cache_control = f"public, max-age={settings.hero_not_found_cache_timeout}"
    assert hero.headers.get_list("cache-control") == [cache_control]
    assert player.status_code == 404
    retry_after = player.json()["retry_after"]
    assert player.headers["retry-after"] == str(retry_after)
    assert player.headers.get_list("cache-control") == [f"private, max-age={retry_after}"]
