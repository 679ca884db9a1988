"""SQLite: decoded profiles reused while their row is unchanged, raw pages left compressed,
and rows written before orjson (by `json.dumps`) still read."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest
import zstandard

from app.adapters.storage.codec import compress
from app.adapters.storage.sqlite import SQLiteStorage
from app.ports import RawPage, UnreadablePageError

from .conftest import T0, make_player

KEY = "a1b2c3d4|e5f6"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "owdata.db"


@pytest.fixture
async def storage(db_path: Path) -> AsyncIterator[SQLiteStorage]:
    storage = await SQLiteStorage.open(db_path)
    yield storage
    await storage.close()


def sql(path: Path, query: str, *params: object) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        return conn.execute(query, params).fetchall()


async def test_a_profile_read_again_is_not_decoded_again(storage: SQLiteStorage) -> None:
    await storage.put_player(make_player())
    first, second = (
        await storage.get_player(KEY),
        await storage.find_player_by_battletag("Player-1234"),
    )
    assert first is not None
    assert second is not None
    assert second.parsed is first.parsed
    assert len(storage.decoded_profiles) == 1


async def test_without_the_cache_every_read_decodes(db_path: Path) -> None:
    storage = await SQLiteStorage.open(db_path, profile_cache_bytes=0)
    try:
        await storage.put_player(make_player())
        first, second = await storage.get_player(KEY), await storage.get_player(KEY)
        assert first is not None
        assert second is not None
        assert first.parsed == second.parsed
        assert first.parsed is not second.parsed
    finally:
        await storage.close()


async def test_a_write_by_another_process_is_seen_at_once(
    storage: SQLiteStorage, db_path: Path
) -> None:
    await storage.put_player(make_player(parsed={"v": 1}))
    assert (await storage.get_player(KEY) or make_player()).parsed == {"v": 1}
    other = await SQLiteStorage.open(db_path)  # another process on the same file
    try:
        await other.put_player(make_player(parsed={"v": 2}))
    finally:
        await other.close()
    assert (await storage.get_player(KEY) or make_player()).parsed == {"v": 2}


async def test_the_cache_stays_within_its_bytes(db_path: Path) -> None:
    career = {"stats": ["x" * 100 for _ in range(100)]}  # ~10 KB of JSON: ~50 KB counted
    storage = await SQLiteStorage.open(db_path, profile_cache_bytes=200_000)
    try:
        for i in range(10):
            await storage.put_player(make_player(f"k{i}", parsed=career))
            await storage.get_player(f"k{i}")
        cache = storage.decoded_profiles
        assert 0 < cache.bytes <= 200_000
        assert 2 <= len(cache) < 10
        again = await storage.get_player("k9")  # the most recent ones are kept
        assert again is not None
        assert cache.get("player_profiles", "k9", b"") is None
    finally:
        await storage.close()


async def test_the_raw_page_stays_compressed_until_read(
    storage: SQLiteStorage, db_path: Path
) -> None:
    await storage.put_player(make_player(raw=b"<html>career</html>"))
    stored = await storage.get_player(KEY)
    assert stored is not None
    assert isinstance(stored.raw, RawPage)
    (blob,) = sql(db_path, "SELECT raw FROM player_profiles")[0]
    assert stored.raw.encoded == blob
    assert await stored.raw.read() == b"<html>career</html>"
    await storage.put_player(replace(stored, fetched_at=T0 + 1))  # written back as it is
    assert sql(db_path, "SELECT raw FROM player_profiles")[0][0] == blob


async def test_a_damaged_raw_page_shows_when_read(storage: SQLiteStorage, db_path: Path) -> None:
    await storage.put_player(make_player())
    sql(db_path, "UPDATE player_profiles SET raw = ?", b"\x28\xb5\x2f\xfd garbage")
    stored = await storage.get_player(KEY)
    assert stored is not None
    assert isinstance(stored.raw, RawPage)
    with pytest.raises(UnreadablePageError):
        await stored.raw.read()


async def test_rows_written_by_json_dumps_still_read(storage: SQLiteStorage, db_path: Path) -> None:
    await storage.put_player(make_player())
    old = {"summary": {"username": "Ранг"}, "ratio": float("nan"), "big": 1e16}
    old_json = json.dumps(old, separators=(",", ":"), ensure_ascii=False).encode()
    assert b"NaN" in old_json
    assert b"1e+16" in old_json
    sql(db_path, "UPDATE player_profiles SET parsed = ?", compress(old_json))
    stored = await storage.get_player(KEY)
    assert stored is not None
    assert stored.parsed["summary"] == {"username": "Ранг"}
    assert stored.parsed["big"] == 1e16
    assert stored.parsed["ratio"] != stored.parsed["ratio"]  # NaN


async def test_new_rows_are_compact_json_as_before(storage: SQLiteStorage, db_path: Path) -> None:
    career = {"summary": {"username": "Ранг", "n": 3, "r": 0.1}, "x": [None, True, 1e-7]}
    await storage.put_player(make_player(parsed=career))
    (blob,) = sql(db_path, "SELECT parsed FROM player_profiles")[0]
    assert isinstance(blob, bytes)
    text = zstandard.decompress(blob)
    # What an older owdata reads with json.loads; only float spelling may differ
    # (`1e-7` where json.dumps wrote `1e-07`).
    assert json.loads(text) == career
    assert text.startswith('{"summary":{"username":"Ранг","n":3,"r":0.1}'.encode())
