"""Player identity, storage reuse, unknown-player backoff and malformed pages, end to end."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.adapters.cache.memory import MemoryCache
from app.bootstrap import open_adapters
from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from app.services.players.profiles import PlayerProfiles
from app.services.players.unknown import BackoffPolicy, UnknownPlayers
from tests.e2e.conftest import eventually, running

TEKROP_ID = "c65b8798bc61d6ffbba120%7Ccfe9dd77a4382165e2b920bdcc035949"
TEKROP_CAREER = f"/en-us/career/{TEKROP_ID}/"


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def calls(upstream: FakeUpstreamServer) -> int:
    return sum(upstream.app.calls.values())


@pytest.mark.parametrize(
    "player_id",
    ["TeKrop-2217", TEKROP_ID, TEKROP_ID.replace("%7C", "|"), TEKROP_ID.replace("%7C", "%7c")],
)
async def test_every_identity_form_reaches_the_same_profile(
    client: httpx.AsyncClient, player_id: str
) -> None:
    response = await client.get(f"/players/{player_id}/summary")

    assert response.status_code == 200
    assert response.json()["username"] == "TeKrop"


async def test_a_wrong_discriminator_never_returns_another_players_profile(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/players/TeKrop-9999/summary")

    assert response.status_code == 404
    assert response.json()["error"] == "Player not found"


async def test_a_bare_name_with_one_public_account_resolves_to_it(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/players/KIRIKO/summary")

    assert response.status_code == 200
    assert response.json()["username"] == "KIRIKO"


async def test_first_battletag_lookup_costs_search_and_career_redirect(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    await client.get("/players/TeKrop-2217/summary")

    assert dict(upstream.app.calls) == {
        "/en-us/search/account-by-name/TeKrop/": 1,
        "/en-us/career/TeKrop-2217/": 1,
        TEKROP_CAREER: 1,
    }


async def test_all_player_routes_share_one_stored_profile(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    await client.get("/players/TeKrop-2217/summary")
    before = calls(upstream)

    for path in (
        "",
        "/stats/summary",
        "/stats/career?gamemode=quickplay",
        "/stats?gamemode=competitive",
    ):
        assert (await client.get(f"/players/TeKrop-2217{path}")).status_code == 200

    assert calls(upstream) == before


async def test_fresh_stored_profile_answers_without_upstream_after_restart(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    clock = Clock()
    async with running(settings, clock) as http:
        first = await http.get("/players/TeKrop-2217/summary")
    upstream.app.reset()
    clock.now += settings.player_staleness_threshold - 60

    async with running(settings, clock) as http:
        again = await http.get("/players/TeKrop-2217/summary")

    assert again.content == first.content
    assert calls(upstream) == 0
    assert int(again.headers["age"]) == settings.player_staleness_threshold - 60


async def test_stale_profile_is_served_at_once_and_refreshed_in_the_background(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    settings = settings.model_copy(update={"stale_answer_cache_timeout": 0})
    clock = Clock()
    async with running(settings, clock) as http:
        first = await http.get("/players/TeKrop-2217/summary")
    upstream.app.reset()
    clock.now += settings.player_staleness_threshold + 60

    async with running(settings, clock) as http:
        stale = await http.get("/players/TeKrop-2217/summary")

        async def refreshed() -> bool:
            response = await http.get("/players/TeKrop-2217/summary")
            return response.headers["x-cache-status"] != "stale"

        await eventually(refreshed)
        fresh = await http.get("/players/TeKrop-2217/summary")

    assert stale.status_code == 200
    assert stale.content == first.content
    assert stale.headers["x-cache-status"] == "stale"
    assert "stale-while-revalidate" in stale.headers["cache-control"]
    # `lastUpdated` did not change: the refresh cost one search, not the career page.
    assert dict(upstream.app.calls) == {"/en-us/search/account-by-name/TeKrop/": 1}
    assert fresh.headers["age"] == "0"


async def test_a_stale_answer_is_reused_briefly_then_the_refresh_shows(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    settings = settings.model_copy(update={"stale_answer_cache_timeout": 1})
    clock = Clock()
    async with running(settings, clock) as http:
        await http.get("/players/TeKrop-2217/summary")
    clock.now += settings.player_staleness_threshold + 60

    async with running(settings, clock) as http:
        stale = await http.get("/players/TeKrop-2217/summary")
        clock.now += 2  # the answer's `Age` moves on while it is reused
        again = await http.get("/players/TeKrop-2217/summary")
        metrics = (await http.get("/metrics")).text

        async def refreshed() -> bool:
            response = await http.get("/players/TeKrop-2217/summary")
            return response.headers["x-cache-status"] != "stale"

        await eventually(refreshed, within=5)

    assert again.content == stale.content
    assert again.headers["etag"] == stale.headers["etag"]
    assert again.headers["x-cache-status"] == "stale"
    assert again.headers["cache-control"] == stale.headers["cache-control"]
    assert "stale-while-revalidate" in again.headers["cache-control"]
    assert int(again.headers["age"]) == int(stale.headers["age"]) + 2
    assert 'owdata_cache_lookups_total{layer="memory",result="stale_hit"} 1.0' in metrics


async def test_unknown_player_backs_off_exponentially_without_upstream_calls(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    clock = Clock()
    async with running(settings, clock) as http:
        first = await http.get("/players/Unknown-1234/summary")
        upstream_calls = calls(upstream)
        clock.now += 100
        during = await http.get("/players/Unknown-1234")
        after_first_wait = clock.now = clock.now + 600
        second = await http.get("/players/Unknown-1234/stats/summary")

    assert first.status_code == during.status_code == second.status_code == 404
    assert first.json() == {
        "error": "Player not found",
        "retry_after": 600,
        "next_check_at": (1_800_000_000 + 600),
        "check_count": 1,
    }
    assert first.headers["retry-after"] == "600"
    assert during.json()["retry_after"] == 500
    assert during.json()["check_count"] == 1
    assert calls(upstream) > upstream_calls  # the second check asked Blizzard again…
    assert second.json()["check_count"] == 2
    assert second.json()["retry_after"] == 1800
    assert second.json()["next_check_at"] == int(after_first_wait + 1800)


async def test_unknown_player_backoff_survives_a_restart(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    clock = Clock()
    async with running(settings, clock) as http:
        await http.get("/players/Unknown-1234/summary")
    upstream.app.reset()

    async with running(settings, clock) as http:
        again = await http.get("/players/Unknown-1234/summary")

    assert again.status_code == 404
    assert again.json()["check_count"] == 1
    assert calls(upstream) == 0


async def test_a_fresh_profile_answers_without_the_backoff_check(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    # A fresh profile was fetched after any backoff of its key ended (a fetch clears it),
    # so it answers without reading the backoff. One recorded since (another process
    # found the BattleTag gone just now) is checked once the profile is stale.
    clock = Clock()
    async with running(settings, clock) as http:
        first = await http.get("/players/TeKrop-2217/summary")
    async with open_adapters(settings, MemoryCache(max_bytes=1 << 20)) as ports:
        staleness = settings.player_staleness_threshold
        backoff = BackoffPolicy(2 * staleness, 3, 10 * staleness)  # outlasts the freshness
        await UnknownPlayers(ports.storage, clock, backoff).mark("TeKrop-2217", None)
    upstream.app.reset()

    async with running(settings, clock) as http:
        fresh = await http.get("/players/TeKrop-2217/summary")
        clock.now += settings.player_staleness_threshold
        stale = await http.get("/players/TeKrop-2217/stats/summary")

    assert fresh.status_code == 200
    assert fresh.json() == first.json()
    assert stale.status_code == 404
    assert calls(upstream) == 0


@pytest.mark.parametrize(
    "mangle",
    [
        lambda page: page[: len(page) // 2],
        lambda page: page.replace(b"Profile-player--name", b"Profile-player--gone"),
        lambda page: page.replace(b"stats-container", b"x").replace(b"blz-section", b"div"),
        lambda page: b"",
    ],
    ids=["truncated", "no-name", "mangled-sections", "empty"],
)
async def test_malformed_career_page_is_a_clear_error_and_nothing_is_stored(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer, mangle: object
) -> None:
    page = upstream.app.body_of(TEKROP_CAREER)
    upstream.app.page_overrides[TEKROP_CAREER] = (200, mangle(page))  # type: ignore[operator]

    broken = await client.get("/players/TeKrop-2217/summary")
    upstream.app.page_overrides.clear()
    fixed = await client.get("/players/TeKrop-2217/summary")

    assert broken.status_code in (404, 502)
    assert broken.headers["content-type"] == "application/json"
    assert "error" in broken.json()
    assert broken.json().get("check_count") is None  # a broken page is not an unknown player
    assert fixed.status_code == 200
    assert fixed.headers["x-cache-status"] == "miss"


async def test_invalid_player_ids_are_422(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    for bad in ("-1234", "a" * 65, "x%01y", "Name-"):
        response = await client.get(f"/players/{bad}/summary")
        assert response.status_code == 422, bad
        assert "error" in response.json()
    assert calls(upstream) == 0


async def test_search_limit_has_a_maximum(client: httpx.AsyncClient) -> None:
    response = await client.get("/players", params={"name": "Dekk", "limit": 101})

    assert response.status_code == 422
    assert "limit" in response.json()["error"]


async def test_search_pagination_and_ordering(client: httpx.AsyncClient) -> None:
    page = await client.get("/players", params={"name": "Player", "offset": 0, "limit": 1})
    empty = await client.get("/players", params={"name": "Player", "offset": 5})
    newest = await client.get(
        "/players", params={"name": "Dekk", "order_by": "last_updated_at:desc"}
    )

    assert page.json()["total"] == 1
    assert len(page.json()["results"]) == 1
    assert empty.json() == {"total": 1, "results": []}
    times = [r["last_updated_at"] for r in newest.json()["results"]]
    assert times == sorted(times, reverse=True)


async def test_pages_and_orders_of_one_name_cost_one_upstream_search(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    pages = [
        await client.get(
            "/players",
            params={"name": "Dekk", "offset": offset, "limit": 1, "order_by": order},
        )
        for offset in range(5)
        for order in ("name:asc", "last_updated_at:desc")
    ]
    later = await client.get("/players", params={"name": "Dekk", "offset": 1, "limit": 1})

    assert {page.status_code for page in pages} == {200}
    assert len({page.url for page in pages}) == 10
    assert dict(upstream.app.calls) == {"/en-us/search/account-by-name/Dekk/": 1}
    assert int(later.headers["age"]) >= 0
    assert later.headers["cache-control"] == pages[0].headers["cache-control"]


async def test_a_forced_refresh_is_never_merged_with_a_plain_lookup(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    clock = Clock()
    cache = MemoryCache(max_bytes=1 << 20)
    async with open_adapters(settings, cache) as adapters:
        unknown = UnknownPlayers(adapters.storage, clock, BackoffPolicy(600, 3, 21600))
        profiles = PlayerProfiles(adapters.storage, adapters.upstream, clock, unknown, staleness=10)
        await profiles.get("TeKrop-2217")
        clock.now += 20
        upstream.app.reset()

        plain, forced = await asyncio.gather(
            profiles.get("TeKrop-2217"), profiles.get("TeKrop-2217", force=True)
        )

    assert plain.stale  # the lookup answers from storage at once…
    assert not forced.stale  # …and the refresh really asked Blizzard
    assert forced.fetched_at == clock.now
    assert dict(upstream.app.calls) == {"/en-us/search/account-by-name/TeKrop/": 1}
