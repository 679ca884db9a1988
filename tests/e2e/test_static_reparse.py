"""A static page stored by an older parser is re-parsed from its stored page without
asking Blizzard; when that stored page is damaged, it is fetched again instead."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace

import httpx

from app.adapters.cache.memory import MemoryCache
from app.bootstrap import open_adapters
from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from app.parsers.heroes import PARSER_VERSION
from tests.e2e.conftest import running

KEY = "heroes:en-us"
HEROES_PAGE = "/en-us/heroes/"


async def _served_then_outdated(settings: Settings) -> httpx.Response:
    """The heroes list served (and stored), then left as an older parser would have
    stored it: another version, nothing parsed."""
    async with running(settings) as client:
        fresh = await client.get("/heroes")
    async with open_adapters(settings, MemoryCache(max_bytes=1 << 20)) as ports:
        record = await ports.storage.get_static(KEY)
        assert record is not None
        assert record.parser_version == PARSER_VERSION
        await ports.storage.put_static(replace(record, parsed=[], parser_version=0))
    return fresh


async def _served_again(
    settings: Settings, upstream: FakeUpstreamServer
) -> tuple[httpx.Response, str]:
    """The heroes list asked for by a restarted app, and the app's metrics then."""
    upstream.app.reset()
    async with running(settings) as client:
        return await client.get("/heroes"), (await client.get("/metrics")).text


async def test_a_page_stored_by_an_older_parser_is_reparsed(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    fresh = await _served_then_outdated(settings)

    again, _ = await _served_again(settings, upstream)

    assert again.status_code == fresh.status_code == 200
    assert again.json() == fresh.json() != []
    assert upstream.app.calls[HEROES_PAGE] == 0
    async with open_adapters(settings, MemoryCache(max_bytes=1 << 20)) as ports:
        stored = await ports.storage.get_static(KEY)
    assert stored is not None
    assert (stored.parser_version, stored.parsed) == (PARSER_VERSION, fresh.json())


async def test_a_page_to_reparse_whose_stored_page_is_damaged_is_fetched_again(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    # The raw page is only decompressed for a re-parse: damage shows there, and the
    # page is then fetched from Blizzard instead of failing the request.
    fresh = await _served_then_outdated(settings)
    with closing(sqlite3.connect(settings.storage_path, isolation_level=None)) as conn:
        conn.execute("UPDATE static_data SET raw = x'28b52ffd2067617262616765'")

    again, metrics = await _served_again(settings, upstream)

    assert again.status_code == 200
    assert again.json() == fresh.json()
    assert upstream.app.calls[HEROES_PAGE] == 1
    # Counted as what it was: a storage miss, not a hit.
    assert 'owdata_cache_lookups_total{layer="storage",result="miss"} 1.0' in metrics
    assert 'layer="storage",result="fresh_hit"' not in metrics
