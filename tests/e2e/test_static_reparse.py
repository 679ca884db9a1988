"""A static page stored by an older parser is re-parsed from its stored page without
asking Blizzard; when that stored page is damaged, it is fetched again instead."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace

from app.adapters.cache.memory import MemoryCache
from app.bootstrap import open_adapters
from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from app.parsers.heroes import PARSER_VERSION
from tests.e2e.conftest import running

KEY = "heroes:en-us"
HEROES_PAGE = "/en-us/heroes/"


async def _store_as_older_parser(settings: Settings) -> None:
    """The heroes list as an older parser left it: another version, nothing parsed."""
    async with open_adapters(settings, MemoryCache(max_bytes=1 << 20)) as ports:
        record = await ports.storage.get_static(KEY)
        assert record is not None
        assert record.parser_version == PARSER_VERSION
        await ports.storage.put_static(replace(record, parsed=[], parser_version=0))


async def test_a_page_stored_by_an_older_parser_is_reparsed(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    async with running(settings) as client:
        fresh = await client.get("/heroes")
    await _store_as_older_parser(settings)
    upstream.app.reset()

    async with running(settings) as client:
        again = await client.get("/heroes")

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
    async with running(settings) as client:
        fresh = await client.get("/heroes")
    await _store_as_older_parser(settings)
    with closing(sqlite3.connect(settings.storage_path, isolation_level=None)) as conn:
        conn.execute("UPDATE static_data SET raw = x'28b52ffd2067617262616765'")
    upstream.app.reset()

    async with running(settings) as client:
        again = await client.get("/heroes")

    assert again.status_code == 200
    assert again.json() == fresh.json()
    assert upstream.app.calls[HEROES_PAGE] == 1
