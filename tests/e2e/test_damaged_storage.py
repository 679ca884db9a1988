"""A stored row that cannot be decoded (a disk fault, a foreign writer, a bug) counts as
absent: the request is answered from Blizzard, the row replaced, the damage logged once
and counted in `owdata_storage_decode_errors_total` (issue 12, defect 3)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from tests.e2e.conftest import running

HEROES_PAGE = "/en-us/heroes/"


def damage(path: Path, table: str) -> list[str]:
    """Overwrite every row's `parsed` payload of `table` with bytes zstd cannot read."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute(f"UPDATE {table} SET parsed = x'28b52ffd00'")  # zstd magic, then nothing
        return [row[0] for row in conn.execute(f"SELECT key FROM {table}")]


def decode_errors(metrics: str, table: str) -> float:
    line = f'owdata_storage_decode_errors_total{{table="{table}"}} '
    values = [float(row.removeprefix(line)) for row in metrics.splitlines() if row.startswith(line)]
    assert len(values) == 1, f"no series for {table}"
    return values[0]


def damage_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "unreadable row" in r.getMessage()]


async def test_a_damaged_page_is_fetched_again_replaced_logged_and_counted(
    settings: Settings, upstream: FakeUpstreamServer, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(settings) as http:
        before = (await http.get("/metrics")).text
        first = await http.get("/heroes")
        damaged = damage(settings.storage_path, "static_data")
        calls_before = upstream.app.calls[HEROES_PAGE]
        # Another cache key over the same stored page: the response cache cannot answer.
        again = await http.get("/heroes", params={"role": "support"})
        later = await http.get("/heroes", params={"role": "tank"})
        after = (await http.get("/metrics")).text

    assert decode_errors(before, "static_data") == 0
    assert decode_errors(before, "player_profiles") == 0
    assert first.status_code == again.status_code == later.status_code == 200
    assert {hero["role"] for hero in again.json()} == {"support"}
    assert upstream.app.calls[HEROES_PAGE] == calls_before + 1  # replaced: later read it
    assert decode_errors(after, "static_data") == 1
    logged = damage_logs(caplog)
    assert len(logged) == 1
    assert "static_data" in logged[0]
    assert repr("heroes:en-us") in logged[0]
    assert "heroes:en-us" in damaged


async def test_a_damaged_profile_is_fetched_again_and_replaced(
    settings: Settings, upstream: FakeUpstreamServer, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(settings) as http:
        first = await http.get("/players/TeKrop-2217/summary")
        (key,) = damage(settings.storage_path, "player_profiles")
        calls_before = sum(upstream.app.calls.values())
        again = await http.get("/players/TeKrop-2217")
        later = await http.get("/players/TeKrop-2217/stats/summary")
        after = (await http.get("/metrics")).text

    assert first.status_code == again.status_code == later.status_code == 200
    assert again.json()["summary"] == first.json()
    assert sum(upstream.app.calls.values()) > calls_before
    assert decode_errors(after, "player_profiles") == 1
    logged = damage_logs(caplog)
    assert len(logged) == 1
    assert "player_profiles" in logged[0]
    assert repr(key) in logged[0]
