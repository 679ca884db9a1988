"""MemoryCache specifics beyond the port contract: LRU bounds by count and bytes."""

from __future__ import annotations

import pytest

from app.adapters.cache.memory import MemoryCache
from tests.integration.cache.conftest import ManualClock

TTL = 60.0


async def _keys_present(cache: MemoryCache, *keys: str) -> list[str]:
    return [key for key in keys if await cache.get(key) is not None]


async def test_evicts_least_recently_used_beyond_max_entries(clock: ManualClock) -> None:
    cache = MemoryCache(max_entries=3, max_bytes=1000, clock=clock)
    for key in ("a", "b", "c", "d"):
        await cache.set(key, b"v", TTL)

    assert cache.entry_count == 3
    assert await _keys_present(cache, "a", "b", "c", "d") == ["b", "c", "d"]


async def test_evicts_least_recently_used_beyond_max_bytes(clock: ManualClock) -> None:
    cache = MemoryCache(max_entries=100, max_bytes=10, clock=clock)
    await cache.set("a", b"1234", TTL)
    await cache.set("b", b"1234", TTL)
    await cache.set("c", b"1234", TTL)  # 12 bytes: "a" must go

    assert cache.byte_size == 8
    assert await _keys_present(cache, "a", "b", "c") == ["b", "c"]


async def test_a_big_value_evicts_as_many_entries_as_needed(clock: ManualClock) -> None:
    cache = MemoryCache(max_entries=100, max_bytes=10, clock=clock)
    for key in ("a", "b", "c"):
        await cache.set(key, b"123", TTL)

    await cache.set("big", b"123456789", TTL)

    assert await _keys_present(cache, "a", "b", "c", "big") == ["big"]
    assert cache.byte_size == 9


async def test_a_value_larger_than_max_bytes_is_not_stored(clock: ManualClock) -> None:
    cache = MemoryCache(max_entries=100, max_bytes=10, clock=clock)
    await cache.set("small", b"12345", TTL)
    await cache.set("huge", b"12345678901", TTL)

    assert await cache.get("huge") is None
    # Nothing was evicted to make room for a value that cannot fit anyway.
    assert await cache.get("small") == b"12345"
    assert cache.byte_size == 5


async def test_a_too_large_overwrite_removes_the_old_value(clock: ManualClock) -> None:
    cache = MemoryCache(max_entries=100, max_bytes=10, clock=clock)
    await cache.set("key", b"old", TTL)
    await cache.set("key", b"new but far too long", TTL)

    assert await cache.get("key") is None
    assert cache.byte_size == 0


async def test_get_refreshes_recency(clock: ManualClock) -> None:
    cache = MemoryCache(max_entries=3, max_bytes=1000, clock=clock)
    for key in ("a", "b", "c"):
        await cache.set(key, b"v", TTL)

    assert await cache.get("a") == b"v"  # "a" is now the most recently used
    await cache.set("d", b"v", TTL)

    assert await _keys_present(cache, "a", "b", "c", "d") == ["a", "c", "d"]


async def test_overwrite_refreshes_recency_and_byte_count(clock: ManualClock) -> None:
    cache = MemoryCache(max_entries=3, max_bytes=1000, clock=clock)
    await cache.set("a", b"12345678", TTL)
    await cache.set("b", b"v", TTL)
    await cache.set("c", b"v", TTL)

    await cache.set("a", b"12", TTL)
    assert cache.byte_size == 4
    await cache.set("d", b"v", TTL)

    assert await _keys_present(cache, "a", "b", "c", "d") == ["a", "c", "d"]


async def test_expiry_is_exact_on_the_injected_clock(clock: ManualClock) -> None:
    cache = MemoryCache(max_entries=10, max_bytes=1000, clock=clock)
    await cache.set("key", b"v", 10.0)

    clock.advance(9.999)
    assert await cache.get("key") == b"v"
    clock.advance(0.001)
    assert await cache.get("key") is None


async def test_expired_entries_are_purged_when_looked_up(clock: ManualClock) -> None:
    cache = MemoryCache(max_entries=10, max_bytes=1000, clock=clock)
    await cache.set("key", b"12345", 1.0)
    clock.advance(2.0)
    assert cache.entry_count == 1  # lazily: nothing happens until someone looks

    assert await cache.get("key") is None

    assert cache.entry_count == 0
    assert cache.byte_size == 0


async def test_deletions_release_their_bytes(clock: ManualClock) -> None:
    cache = MemoryCache(max_entries=10, max_bytes=1000, clock=clock)
    for key in ("p:a", "p:b", "q:a"):
        await cache.set(key, b"1234", TTL)

    await cache.delete("q:a")
    assert cache.byte_size == 8
    assert await cache.delete_prefix("p:") == 2
    assert (cache.entry_count, cache.byte_size) == (0, 0)


@pytest.mark.parametrize(("max_entries", "max_bytes"), [(0, 10), (10, 0), (-1, -1)])
def test_bounds_must_be_positive(max_entries: int, max_bytes: int) -> None:
    with pytest.raises(ValueError, match="must be at least 1"):
        MemoryCache(max_entries=max_entries, max_bytes=max_bytes)
