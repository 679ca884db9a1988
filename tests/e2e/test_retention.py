"""The app's cleanup job forgets unknown players whose backoff ended long ago, so a
stream of random names cannot grow the database for ever (issue 12, retention)."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing

from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from tests.e2e.conftest import eventually, running
from tests.e2e.test_players_behaviour import Clock


def unknown_rows(settings: Settings) -> int:
    with closing(sqlite3.connect(settings.storage_path)) as conn:
        count: int = conn.execute("SELECT COUNT(*) FROM unknown_players").fetchone()[0]
        return count


async def test_unknown_players_are_purged_after_their_retention(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    clock = Clock()
    async with running(settings, clock) as http:
        for name in ("Nobody-1111", "Nobody-2222", "Nobody-3333"):
            assert (await http.get(f"/players/{name}/summary")).status_code == 404
    assert unknown_rows(settings) == 3

    # Past their next check but within the retention: a restart (cleanup runs at once) keeps them.
    clock.now += settings.unknown_player_initial_retry + settings.unknown_player_retention - 60
    async with running(settings, clock):
        await asyncio.sleep(0.3)  # room for the first cleanup pass, which runs at start
    assert unknown_rows(settings) == 3

    clock.now += 120
    async with running(settings, clock):

        async def purged() -> bool:
            return unknown_rows(settings) == 0

        await eventually(purged)
