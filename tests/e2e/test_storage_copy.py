"""`owdata storage copy`: a populated SQLite instance moved into PostgreSQL answers the
same bytes without asking Blizzard again; running the copy twice changes nothing."""

from __future__ import annotations

import subprocess
import sys

import asyncpg
import pytest

from app.adapters.storage.sqlite import SQLiteStorage
from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from tests.e2e.conftest import running

pytestmark = pytest.mark.postgres

ROUTES = [
    "/heroes",
    "/heroes/ana",
    "/roles",
    "/players/TeKrop-2217/summary",
    "/players/TeKrop-2217",
    "/players/TeKrop-2217/stats/summary",
]
UNKNOWN = "/players/Nobody-0000/summary"


def copy(source: str, target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "storage", "copy", "--from", source, "--to", target],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def counts(stdout: str) -> dict[str, tuple[int, int]]:
    rows = [line.split() for line in stdout.splitlines()[1:5]]
    return {kind: (int(copied), int(verified)) for kind, copied, verified in rows}


async def row_counts(url: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        tables = ["static_data", "player_profiles", "unknown_players", "jobs"]
        return [await conn.fetchval(f"SELECT COUNT(*) FROM {table}") for table in tables]
    finally:
        await conn.close()


async def test_a_copied_instance_answers_the_same_bytes(
    settings: Settings, upstream: FakeUpstreamServer, postgres_url: str
) -> None:
    answers = {}
    async with running(settings) as http:
        for route in ROUTES:
            response = await http.get(route)
            assert response.status_code == 200, route
            answers[route] = response.content
        assert (await http.get(UNKNOWN)).status_code == 404
    sqlite = await SQLiteStorage.open(settings.storage_path)
    try:
        await sqlite.jobs.enqueue("static:maps:en-us", "refresh_maps", {"n": 1}, run_at=1e12)
    finally:
        await sqlite.close()

    first = copy(str(settings.storage_path), postgres_url)
    assert first.returncode == 0, first.stderr
    copied = counts(first.stdout)
    assert all(done == verified for done, verified in copied.values())
    assert copied["player_profiles"][0] >= 1
    assert copied["unknown_players"] == (1, 1)
    assert copied["jobs"] == (1, 1)
    assert "static_data" in first.stderr  # the progress bar
    before = await row_counts(postgres_url)

    again = copy(str(settings.storage_path), postgres_url)
    assert again.returncode == 0, again.stderr
    assert counts(again.stdout) == copied
    assert await row_counts(postgres_url) == before

    upstream.app.reset()
    moved = settings.model_copy(update={"database_url": postgres_url})
    async with running(moved) as http:
        for route in ROUTES:
            response = await http.get(route)
            assert (response.status_code, response.content) == (200, answers[route]), route
        assert (await http.get(UNKNOWN)).status_code == 404
    assert dict(upstream.app.calls) == {}


def test_a_missing_source_is_one_line() -> None:
    result = copy("/nonexistent/owdata.db", "postgresql://owdata@127.0.0.1:1/x")
    assert result.returncode == 2
    assert result.stderr == "owdata: --from: no SQLite file at /nonexistent/owdata.db\n"
