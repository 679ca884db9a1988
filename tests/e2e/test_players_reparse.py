"""A profile stored by an older career parser is answered with today's keys, without asking
Blizzard again: it is re-parsed from its stored page."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from typing import Any

from app.adapters.cache.memory import MemoryCache
from app.bootstrap import open_adapters
from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from app.parsers.career import PARSER_VERSION
from app.ports import read_raw
from tests.e2e.conftest import running

ASHE = ("/players/JohnV1-1190/stats/career", {"gamemode": "quickplay", "hero": "ashe"})


def _plural_keys(data: Any) -> Any:
    """Parser version 1's keys: "Knockback Kill" gave `knockback_kills`."""
    if isinstance(data, list):
        return [_plural_keys(item) for item in data]
    if isinstance(data, dict):
        renamed = {k: _plural_keys(v) for k, v in data.items()}
        if renamed.get("key") == "knockback_kill":
            renamed["key"] = "knockback_kills"
        return renamed
    return data


async def test_a_profile_parsed_with_plural_keys_is_reparsed(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    async with running(settings) as client:
        fresh = await client.get(ASHE[0], params=ASHE[1])
    assert fresh.json()["ashe"]["game"]["knockback_kill"] == 1  # OverFast's key

    async with open_adapters(settings, MemoryCache(max_bytes=1 << 20)) as ports:
        record = await ports.storage.find_player_by_battletag("JohnV1-1190")
        assert record is not None
        assert record.parser_version == PARSER_VERSION
        # As stored before the keys became OverFast's: version 1, plural keys.
        old = replace(record, parsed=_plural_keys(record.parsed), parser_version=1)
        assert old.parsed != record.parsed
        await ports.storage.put_player(old)
    upstream.app.reset()

    async with running(settings) as client:
        again = await client.get(ASHE[0], params=ASHE[1])

    assert again.json() == fresh.json()
    assert not any(path.startswith("/en-us/career/") for path in upstream.app.calls)
    async with open_adapters(settings, MemoryCache(max_bytes=1 << 20)) as ports:
        stored = await ports.storage.find_player_by_battletag("JohnV1-1190")
    assert stored is not None
    assert stored.parser_version == PARSER_VERSION
    assert stored.parsed == record.parsed


async def test_a_profile_to_reparse_whose_page_is_damaged_is_fetched_again(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    # The raw page is only decompressed for a re-parse: damage shows there, and the
    # profile is then fetched from Blizzard instead of failing the request.
    async with running(settings) as client:
        fresh = await client.get(ASHE[0], params=ASHE[1])
    async with open_adapters(settings, MemoryCache(max_bytes=1 << 20)) as ports:
        record = await ports.storage.find_player_by_battletag("JohnV1-1190")
        assert record is not None
        await ports.storage.put_player(replace(record, parser_version=1))
    with closing(sqlite3.connect(settings.storage_path, isolation_level=None)) as conn:
        conn.execute("UPDATE player_profiles SET raw = x'28b52ffd2067617262616765'")
    upstream.app.reset()

    async with running(settings) as client:
        again = await client.get(ASHE[0], params=ASHE[1])

    assert again.status_code == 200
    assert again.json() == fresh.json()
    assert any(path.startswith("/en-us/career/") for path in upstream.app.calls)
    async with open_adapters(settings, MemoryCache(max_bytes=1 << 20)) as ports:
        stored = await ports.storage.find_player_by_battletag("JohnV1-1190")
    assert stored is not None
    assert stored.parser_version == PARSER_VERSION
    assert await read_raw(stored.raw) == await read_raw(record.raw)
