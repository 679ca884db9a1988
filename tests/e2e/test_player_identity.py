"""Player identity end to end, with and without Blizzard's career redirect (issue 11 #1).

Blizzard redirects `/career/<BattleTag>/` to the Blizzard ID today; until 2025 it served the
page at the BattleTag's URL itself. Both answer on all five routes; a wrong discriminator
is a 404 either way; a profile keyed by its BattleTag moves to its Blizzard ID (and its
backoff and refresh job with it) when a later fetch redirects.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.adapters.storage.sqlite import SQLiteStorage
from app.config import Settings
from app.devtools.fake_routes import without_redirects
from app.devtools.fake_upstream import FakeUpstreamServer
from app.ports import UnknownPlayer
from tests.e2e.conftest import eventually, running

TEKROP_ID = "c65b8798bc61d6ffbba120%7Ccfe9dd77a4382165e2b920bdcc035949"
TEKROP_CAREER = f"/en-us/career/{TEKROP_ID}/"
TEKROP_BY_TAG = "/en-us/career/TeKrop-2217/"
TEKROP_SEARCH = "/en-us/search/account-by-name/TeKrop/"
SAMPLE_SEARCH = "blizzard/en-us/search/account-by-name/_sample.json"
ROUTES = [
    "/summary",
    "",
    "/stats/summary",
    "/stats?gamemode=quickplay",
    "/stats/career?gamemode=competitive",
]


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def stored(settings: Settings) -> AsyncIterator[SQLiteStorage]:
    """The app's database, opened beside (or after) the app."""
    storage = await SQLiteStorage.open(settings.storage_path)
    try:
        yield storage
    finally:
        await storage.close()


def serve_without_redirects(upstream: FakeUpstreamServer) -> None:
    upstream.app.overlay(without_redirects(upstream.app.root))


def search_overlay(upstream: FakeUpstreamServer, edit: Any) -> None:
    """Answer TeKrop's search with the captured sample, edited by `edit(entries)`."""
    entries = json.loads((upstream.app.root / SAMPLE_SEARCH).read_text("utf-8"))
    edit(entries)
    route = {"path": TEKROP_SEARCH, "status": 200, "content_type": "application/json"}
    upstream.app.overlay([{**route, "body": json.dumps(entries)}])


def tekrop(entries: list[dict[str, Any]]) -> dict[str, Any]:
    (entry,) = [e for e in entries if e["name"] == "TeKrop"]
    return entry


async def bodies(settings: Settings, player_id: str) -> dict[str, httpx.Response]:
    async with running(settings) as http:
        return {route: await http.get(f"/players/{player_id}{route}") for route in ROUTES}


async def test_with_a_redirect_the_profile_is_keyed_by_its_blizzard_id(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    answers = await bodies(settings, "TeKrop-2217")

    assert {r.status_code for r in answers.values()} == {200}
    assert upstream.app.calls[TEKROP_BY_TAG] == upstream.app.calls[TEKROP_CAREER] == 1
    async with stored(settings) as storage:
        record = await storage.get_player(TEKROP_ID)
        assert record is not None
        assert record.battletag == "TeKrop-2217"
        assert await storage.get_player("TeKrop-2217") is None


async def test_without_a_redirect_every_route_answers_from_the_battletag_page(
    settings: Settings, upstream: FakeUpstreamServer, tmp_path: Path
) -> None:
    redirected = await bodies(
        settings.model_copy(update={"storage_path": tmp_path / "redirected.db"}), "TeKrop-2217"
    )
    upstream.app.reset()
    serve_without_redirects(upstream)

    direct = await bodies(settings, "TeKrop-2217")

    assert {r.status_code for r in direct.values()} == {200}
    assert dict(upstream.app.calls) == {TEKROP_SEARCH: 1, TEKROP_BY_TAG: 1}
    for route in ROUTES[2:]:  # statistics come from the page alone: the same bytes
        assert direct[route].content == redirected[route].content, route
    summary, expected = direct["/summary"].json(), redirected["/summary"].json()
    # Today's search names no BattleTag: nothing ties an entry to this page, so the
    # search-only namecard is null, and avatar, title and last update come from the page.
    assert expected["namecard"] is not None
    assert summary["namecard"] is None
    for field in ("username", "endorsement", "competitive"):
        assert summary[field] == expected[field], field
    assert None not in (summary["avatar"], summary["title"], summary["last_updated_at"])
    async with stored(settings) as storage:
        record = await storage.get_player("TeKrop-2217")
        assert record is not None
        assert (record.blizzard_id, record.battletag, record.search_entry) == (
            None,
            "TeKrop-2217",
            None,
        )
        assert await storage.get_player(TEKROP_ID) is None


@pytest.mark.parametrize("battletag", ["TeKrop-2217", "JohnV1-1190", "KIRIKO-12460"])
async def test_every_captured_player_answers_without_a_redirect(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer, battletag: str
) -> None:
    serve_without_redirects(upstream)

    for route in ROUTES:
        response = await client.get(f"/players/{battletag}{route}")
        assert response.status_code == 200, (route, response.text)
    assert upstream.app.calls[f"/en-us/career/{battletag}/"] == 1


async def test_without_a_redirect_a_wrong_discriminator_is_still_a_404(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer, settings: Settings
) -> None:
    serve_without_redirects(upstream)

    response = await client.get("/players/TeKrop-9999/summary")

    assert response.status_code == 404
    assert response.json()["error"] == "Player not found"
    assert response.json()["check_count"] == 1
    async with stored(settings) as storage:
        assert (await storage.stats()).rows["player_profiles"] == 0


async def test_a_search_entry_naming_the_battletag_is_attached(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    serve_without_redirects(upstream)
    search_overlay(upstream, lambda entries: tekrop(entries).update(battleTag="TeKrop#2217"))

    summary = (await client.get("/players/TeKrop-2217/summary")).json()

    assert summary["namecard"] is not None
    assert summary["last_updated_at"] == 1678536999


@pytest.mark.parametrize(
    "edit",
    [
        # Two accounts claim the BattleTag: ambiguous, so neither is attached.
        lambda entries: [
            entries[0].update(battleTag="TeKrop#2217"),
            tekrop(entries).update(battleTag="TeKrop#2217"),
        ],
        # The only BattleTag named is another one.
        lambda entries: tekrop(entries).update(battleTag="TeKrop#1111"),
    ],
    ids=["ambiguous", "other-battletag"],
)
async def test_a_search_entry_is_not_attached_unless_tied_unambiguously(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer, edit: Any
) -> None:
    serve_without_redirects(upstream)
    search_overlay(upstream, edit)

    summary = (await client.get("/players/TeKrop-2217/summary")).json()

    assert summary["username"] == "TeKrop"
    assert summary["namecard"] is None


async def test_a_stored_mapping_refreshes_by_blizzard_id_without_the_battletag_url(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    clock = Clock()
    async with running(settings, clock) as http:
        await http.get("/players/TeKrop-2217/summary")
    upstream.app.reset()
    search_overlay(upstream, lambda entries: tekrop(entries).update(lastUpdated=1900000000))
    clock.now += settings.player_staleness_threshold + 60

    async with running(settings, clock) as http:
        await http.get("/players/TeKrop-2217/summary")

        async def refreshed() -> bool:
            return upstream.app.calls[TEKROP_CAREER] == 1

        await eventually(refreshed)

    assert upstream.app.calls[TEKROP_BY_TAG] == 0


async def test_blizzard_id_input_is_keyed_by_it_with_or_without_redirects(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    serve_without_redirects(upstream)
    async with running(settings) as http:
        by_id = await http.get(f"/players/{TEKROP_ID}/summary")

    assert by_id.status_code == 200
    assert by_id.json()["namecard"] is not None  # the search entry matches by Blizzard ID
    assert dict(upstream.app.calls) == {TEKROP_CAREER: 1, TEKROP_SEARCH: 1}
    async with stored(settings) as storage:
        record = await storage.get_player(TEKROP_ID)
        assert record is not None
        assert record.battletag is None  # nothing ties it to a BattleTag


async def test_a_battletag_profile_moves_to_its_blizzard_id_when_blizzard_redirects(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    settings = settings.model_copy(update={"stale_answer_cache_timeout": 0})
    clock = Clock()
    serve_without_redirects(upstream)
    async with running(settings, clock) as http:
        before = await http.get("/players/TeKrop-2217/summary")
        await http.get(f"/players/{TEKROP_ID}/summary")  # a second row, by Blizzard ID
    async with stored(settings) as storage:
        assert (await storage.stats()).rows["player_profiles"] == 2
        # Backoffs of both keys (long expired) must go with the move.
        for key in ("TeKrop-2217", TEKROP_ID):
            await storage.put_unknown_player(UnknownPlayer(key, 2, clock.now, clock.now - 1))
    upstream.app.reset()  # Blizzard redirects again
    clock.now += settings.player_staleness_threshold + 60

    async with running(settings, clock) as http:
        stale = await http.get("/players/TeKrop-2217/summary")

        async def moved() -> bool:
            response = await http.get("/players/TeKrop-2217/summary")
            return response.headers["x-cache-status"] != "stale"

        await eventually(moved)
        after = await http.get("/players/TeKrop-2217/summary")

    assert stale.headers["x-cache-status"] == "stale"
    assert stale.json() == before.json()
    assert before.json()["namecard"] is None
    assert after.json()["namecard"] is not None  # now tied by the Blizzard ID
    assert upstream.app.calls[TEKROP_BY_TAG] == 1
    async with stored(settings) as storage:
        assert await storage.get_player("TeKrop-2217") is None
        record = await storage.get_player(TEKROP_ID)
        assert record is not None
        assert record.battletag == "TeKrop-2217"
        assert (await storage.stats()).rows["player_profiles"] == 1
        assert await storage.count_unknown_players() == 0
        assert (await storage.jobs.get("player:TeKrop-2217")) is not None  # the move's run
        assert await storage.jobs.get(f"player:{TEKROP_ID}") is None

    # The next refresh of the moved profile is queued under its new key.
    clock.now += settings.player_staleness_threshold + 60
    async with running(settings.model_copy(update={"jobs_in_process": False}), clock) as http:
        again = await http.get("/players/TeKrop-2217/summary")
    assert again.headers["x-cache-status"] == "stale"
    async with stored(settings) as storage:
        job = await storage.jobs.get(f"player:{TEKROP_ID}")
        assert job is not None
        assert job.state == "queued"


async def test_a_redirect_to_a_page_without_blizzard_id_is_a_502(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    upstream.app.overlay([{"path": TEKROP_BY_TAG, "status": 302, "location": "/en-us/"}])

    response = await client.get("/players/TeKrop-2217/summary")

    assert response.status_code == 502
    assert "identity" in response.json()["error"]
