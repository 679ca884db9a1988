"""`copy_storage` between real adapters: SQLite into PostgreSQL and back, every kind of
record (odd keys included), pending jobs only, idempotent, differences reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.adapters.storage.postgres import PostgresStorage
from app.adapters.storage.sqlite import SQLiteStorage
from app.services.storage_copy import copy_storage

from .conftest import make_player, make_static, make_unknown

pytestmark = pytest.mark.postgres

ODD = "Ана 🙂 \u0000 end"


async def populate(storage: SQLiteStorage) -> None:
    await storage.put_static(make_static())
    await storage.put_static(make_static(f"hero:{ODD}", raw=ODD.encode()))
    for n in range(120):  # more than one export batch
        await storage.put_player(make_player(f"id{n:03}%7C{ODD}", battletag=f"P{n}-1"))
    await storage.put_unknown_player(make_unknown())
    await storage.put_unknown_player(make_unknown(f"{ODD}-1"))
    for key in ("queued", "running", "done"):
        await storage.jobs.enqueue(key, "refresh", {"key": key}, run_at=1.0)
    await storage.jobs.claim("old-host#1", lease_seconds=60, now=2.0)  # "done" is first...
    await storage.jobs.complete("done", "old-host#1")
    await storage.jobs.claim("old-host#2", lease_seconds=60, now=2.0)  # ...then "queued"


async def test_sqlite_into_postgres_and_back(tmp_path: Path, postgres_url: str) -> None:
    source = await SQLiteStorage.open(tmp_path / "a.db")
    target = await PostgresStorage.open(postgres_url)
    back = await SQLiteStorage.open(tmp_path / "b.db")
    try:
        await populate(source)
        seen: list[tuple[str, str, int, int]] = []
        report = await copy_storage(source.export, target, lambda *p: seen.append(p))
        expected = {"static_data": 2, "player_profiles": 120, "unknown_players": 2, "jobs": 2}
        assert (report.copied, report.verified, report.ok) == (expected, expected, True)
        assert ("verify", "player_profiles", 120, 120) in seen
        assert await target.get_static(f"hero:{ODD}") == await source.get_static(f"hero:{ODD}")
        assert await target.jobs.get("done") is None  # history stays behind
        moved = await target.jobs.get("queued")  # it was running on the old instance
        assert moved is not None
        assert (moved.state, moved.payload) == ("queued", {"key": "queued"})

        again = await copy_storage(source.export, target)
        assert (again.copied, again.verified) == (expected, expected)
        assert (await target.stats()).rows == {
            "static_data": 2,
            "player_profiles": 120,
            "unknown_players": 2,
        }

        round_trip = await copy_storage(target.export, back)
        assert round_trip.ok
        assert await back.get_player(f"id007%7C{ODD}") == await source.get_player(f"id007%7C{ODD}")
    finally:
        for storage in (source, target, back):
            await storage.close()


async def test_a_record_that_differs_is_reported(tmp_path: Path, postgres_url: str) -> None:
    source = await SQLiteStorage.open(tmp_path / "a.db")
    target = await PostgresStorage.open(postgres_url)
    try:
        await source.put_player(make_player("p%7C1", battletag=None, name=None))
        # The target knows a BattleTag the source does not: a None BattleTag keeps it.
        await target.put_player(make_player("p%7C1", battletag="Kept-1"))
        report = await copy_storage(source.export, target)
        assert not report.ok
        assert report.mismatches == ["player_profiles p%7C1"]
        assert report.verified["player_profiles"] == 0
    finally:
        await source.close()
        await target.close()
