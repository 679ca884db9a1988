"""Near copies across processes: two `ValkeyCache`s on one real Valkey server stand for two
worker processes. A value replaced, deleted or expired through one is not served by the
other's near copy later than the staleness bound (0.5 s here), and hits of a copy do not
ask Valkey."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from valkey.asyncio import Valkey

from app.adapters.cache.valkey import ValkeyCache
from tests.valkey_near import near_cache, until_tracking
from tests.valkey_server import ValkeyProcess

pytestmark = pytest.mark.valkey

STALENESS = 0.5
TTL = 60.0


@pytest.fixture
async def pair(valkey_url: str) -> AsyncIterator[tuple[ValkeyCache, ValkeyCache]]:
    writer, reader = near_cache(valkey_url, staleness=STALENESS), near_cache(valkey_url)
    await until_tracking(writer)
    await until_tracking(reader)
    try:
        yield writer, reader
    finally:
        await writer.close()
        await reader.close()


async def copied(cache: ValkeyCache, key: str, value: bytes) -> None:
    """Read `key` through `cache` until its near copy holds `value`."""
    deadline = time.monotonic() + 5
    while cache.get_nowait(key) != value:
        assert await cache.get(key) == value
        assert time.monotonic() < deadline, "no near copy was kept"
        await asyncio.sleep(0.01)


async def last_served(cache: ValkeyCache, key: str, old: bytes, since: float) -> float:
    """Read `key` for twice the staleness bound; seconds after `since` `old` was last
    answered (by the near copy or Valkey), 0 if never."""
    last = since
    while time.monotonic() < since + 2 * STALENESS:
        if cache.get_nowait(key) == old or await cache.get(key) == old:
            last = time.monotonic()
        await asyncio.sleep(0.001)
    return last - since


async def get_calls(url: str) -> int:
    client = Valkey.from_url(url)
    try:
        stats: dict[str, dict[str, int]] = await client.info("commandstats")
    finally:
        await client.aclose()
    return stats.get("cmdstat_get", {}).get("calls", 0)


async def test_hits_of_a_near_copy_do_not_ask_valkey(
    pair: tuple[ValkeyCache, ValkeyCache], valkey_url: str
) -> None:
    writer, reader = pair
    await writer.set("heroes", b"v" * 12_000, TTL)
    await copied(reader, "heroes", b"v" * 12_000)
    before = await get_calls(valkey_url)

    for _ in range(100):
        assert reader.get_nowait("heroes") == b"v" * 12_000
        assert await reader.get("heroes") == b"v" * 12_000

    assert await get_calls(valkey_url) == before


Change = Callable[[ValkeyCache], Awaitable[object]]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda cache: cache.set("heroes:ana", b"new", TTL), id="replaced"),
        pytest.param(lambda cache: cache.delete("heroes:ana"), id="deleted"),
        pytest.param(lambda cache: cache.delete_prefix("heroes:"), id="deleted-by-prefix"),
    ],
)
async def test_a_change_by_another_process_ends_the_old_copy_within_the_bound(
    pair: tuple[ValkeyCache, ValkeyCache], change: Change
) -> None:
    writer, reader = pair
    await writer.set("heroes:ana", b"old", TTL)
    await copied(reader, "heroes:ana", b"old")

    await change(writer)
    stale_for = await last_served(reader, "heroes:ana", b"old", time.monotonic())

    assert stale_for <= STALENESS
    assert await reader.get("heroes:ana") in (b"new", None)


async def test_a_change_through_a_plain_client_ends_the_copy_too(
    pair: tuple[ValkeyCache, ValkeyCache], valkey_url: str
) -> None:
    """Any writer counts (another version of owdata, valkey-cli), not only this adapter."""
    _, reader = pair
    await reader.set("maps", b"old", TTL)
    await copied(reader, "maps", b"old")
    client = Valkey.from_url(valkey_url)
    try:
        await client.set("near:maps", b"new")
    finally:
        await client.aclose()

    assert await last_served(reader, "maps", b"old", time.monotonic()) <= STALENESS
    assert await reader.get("maps") == b"new"


async def test_a_copy_expires_with_its_value(pair: tuple[ValkeyCache, ValkeyCache]) -> None:
    writer, reader = pair
    await writer.set("roles", b"short", 0.3)
    await copied(reader, "roles", b"short")
    await asyncio.sleep(0.35)

    assert reader.get_nowait("roles") is None
    assert await reader.get("roles") is None


async def test_copies_go_unused_while_valkey_is_frozen(
    pair: tuple[ValkeyCache, ValkeyCache], valkey_server: ValkeyProcess
) -> None:
    """Nothing proves a copy current while Valkey does not answer: after the bound it is
    not served (the cache misses, as without near copies)."""
    _, reader = pair
    await reader.set("gamemodes", b"v", TTL)
    await copied(reader, "gamemodes", b"v")
    valkey_server.pause()
    try:
        paused_at = time.monotonic()
        while reader.get_nowait("gamemodes") is not None:
            assert time.monotonic() - paused_at <= STALENESS + 0.1
            await asyncio.sleep(0.01)
    finally:
        valkey_server.resume()
    await copied(reader, "gamemodes", b"v")  # back in use once Valkey answers


async def test_a_restarted_valkey_empties_the_copies(
    pair: tuple[ValkeyCache, ValkeyCache], valkey_server: ValkeyProcess
) -> None:
    """The restart loses the values (nothing persisted) and the invalidation connection."""
    _, reader = pair
    await reader.set("heroes", b"v", TTL)
    await copied(reader, "heroes", b"v")
    valkey_server.restart()
    restarted_at = time.monotonic()

    assert await last_served(reader, "heroes", b"v", restarted_at) <= STALENESS
    await until_tracking(reader)
    await reader.set("heroes", b"after", TTL)
    await copied(reader, "heroes", b"after")


async def test_near_copies_stay_within_their_byte_bound(valkey_url: str) -> None:
    cache = near_cache(valkey_url, max_bytes=64 * 1024)
    await until_tracking(cache)
    try:
        for i in range(40):
            await cache.set(f"player:{i}", bytes(4096), TTL)
            assert await cache.get(f"player:{i}") == bytes(4096)
        near = cache.near
        assert near is not None
        assert 0 < near.byte_size <= 64 * 1024
        assert near.entry_count < 40
        assert await cache.get("player:0") == bytes(4096)  # evicted here, still in Valkey
    finally:
        await cache.close()


async def test_without_a_byte_budget_there_are_no_near_copies(valkey_url: str) -> None:
    cache = ValkeyCache.from_url(valkey_url, key_prefix="near:", near_max_bytes=0)
    try:
        await cache.set("k", b"v", TTL)
        assert await cache.get("k") == b"v"
        assert cache.near is None
        assert cache.get_nowait("k") is None
    finally:
        await cache.close()


async def test_a_skipped_valkey_leaves_no_fill_pending(valkey_url: str) -> None:
    # The breaker is shared with the throttle and the lock: it may be open while the
    # invalidation listener still works. A get it skips must not begin a near-copy fill.
    cache = near_cache(valkey_url)
    await until_tracking(cache)
    try:
        while cache.circuit.allow():
            cache.circuit.failed()
        for i in range(20):
            assert await cache.get(f"skipped:{i}") is None
        near = cache.near
        assert near is not None
        assert near._pending == {}
    finally:
        await cache.close()
