"""MemoryCache specifics beyond the port contract: an LRU bounded by the bytes it holds
(values, keys and the per-entry overhead)."""

from __future__ import annotations

import pytest

from app.adapters.cache.memory import ENTRY_OVERHEAD, MemoryCache, entry_size
from tests.integration.cache.conftest import ManualClock

TTL = 60.0
ONE = entry_size("a", b"1234")  # every one-letter key with a 4-byte value
ONE_BYTE = entry_size("a", b"v")  # every one-letter key with a 1-byte value


async def _keys_present(cache: MemoryCache, *keys: str) -> list[str]:
    return [key for key in keys if await cache.get(key) is not None]


def test_an_entry_counts_its_value_its_key_and_its_overhead() -> None:
    assert entry_size("key", b"12345") == 5 + 3 + ENTRY_OVERHEAD


async def test_evicts_least_recently_used_beyond_max_bytes(clock: ManualClock) -> None:
    cache = MemoryCache(max_bytes=3 * ONE - 1, clock=clock)
    await cache.set("a", b"1234", TTL)
    await cache.set("b", b"1234", TTL)
    await cache.set("c", b"1234", TTL)  # one byte too many: "a" must go

    assert cache.byte_size == 2 * ONE
    assert await _keys_present(cache, "a", "b", "c") == ["b", "c"]


async def test_many_small_entries_are_bounded_by_their_overhead(clock: ManualClock) -> None:
    # 404s for unknown players are tiny: counting values alone would let a byte bound hold
    # hundreds of thousands of them, each costing far more memory than its value.
    limit = 100 * ENTRY_OVERHEAD
    cache = MemoryCache(max_bytes=limit, clock=clock)
    for i in range(1000):
        await cache.set(f"/players/Nobody{i}-1000/summary", b"{}", TTL)

    assert cache.byte_size <= limit
    assert 60 < cache.entry_count < 100
    assert await cache.get("/players/Nobody999-1000/summary") == b"{}"
    assert await cache.get("/players/Nobody0-1000/summary") is None


async def test_the_byte_bound_holds_whatever_the_sizes(clock: ManualClock) -> None:
    limit = 50_000
    cache = MemoryCache(max_bytes=limit, clock=clock)
    held: dict[str, bytes] = {}
    for i in range(500):
        key, value = f"k{i}", b"x" * ((i * 7919) % 9000)
        await cache.set(key, value, TTL)
        held[key] = value
        assert cache.byte_size <= limit
    present = [k for k in held if await cache.get(k) is not None]
    assert cache.byte_size == sum(entry_size(k, held[k]) for k in present)


async def test_a_big_value_evicts_as_many_entries_as_needed(clock: ManualClock) -> None:
    cache = MemoryCache(max_bytes=3 * ONE, clock=clock)
    for key in ("a", "b", "c"):
        await cache.set(key, b"1234", TTL)

    big = b"x" * (2 * ONE)
    await cache.set("big", big, TTL)

    assert await _keys_present(cache, "a", "b", "c", "big") == ["big"]
    assert cache.byte_size == entry_size("big", big)


async def test_a_value_larger_than_max_bytes_is_not_stored(clock: ManualClock) -> None:
    cache = MemoryCache(max_bytes=2 * ONE, clock=clock)
    await cache.set("small", b"12345", TTL)
    await cache.set("huge", b"x" * (2 * ONE), TTL)

    assert await cache.get("huge") is None
    # Nothing was evicted to make room for a value that cannot fit anyway.
    assert await cache.get("small") == b"12345"
    assert cache.byte_size == entry_size("small", b"12345")


async def test_a_too_large_overwrite_removes_the_old_value(clock: ManualClock) -> None:
    cache = MemoryCache(max_bytes=2 * ONE, clock=clock)
    await cache.set("key", b"old", TTL)
    await cache.set("key", b"x" * (2 * ONE), TTL)

    assert await cache.get("key") is None
    assert cache.byte_size == 0


async def test_get_refreshes_recency(clock: ManualClock) -> None:
    cache = MemoryCache(max_bytes=3 * ONE_BYTE, clock=clock)
    for key in ("a", "b", "c"):
        await cache.set(key, b"v", TTL)

    assert await cache.get("a") == b"v"  # "a" is now the most recently used
    await cache.set("d", b"v", TTL)

    assert await _keys_present(cache, "a", "b", "c", "d") == ["a", "c", "d"]


async def test_overwrite_refreshes_recency_and_byte_count(clock: ManualClock) -> None:
    # Room for "a" at its first size and two one-byte entries, not for a fourth entry.
    cache = MemoryCache(max_bytes=entry_size("a", b"12345678") + 2 * ONE_BYTE, clock=clock)
    await cache.set("a", b"12345678", TTL)
    await cache.set("b", b"v", TTL)
    await cache.set("c", b"v", TTL)

    await cache.set("a", b"12", TTL)
    assert cache.byte_size == entry_size("a", b"12") + 2 * ONE_BYTE
    await cache.set("d", b"v", TTL)

    assert await _keys_present(cache, "a", "b", "c", "d") == ["a", "c", "d"]


async def test_expiry_is_exact_on_the_injected_clock(clock: ManualClock) -> None:
    cache = MemoryCache(max_bytes=100_000, clock=clock)
    await cache.set("key", b"v", 10.0)

    clock.advance(9.999)
    assert await cache.get("key") == b"v"
    clock.advance(0.001)
    assert await cache.get("key") is None


async def test_expired_entries_are_purged_when_looked_up(clock: ManualClock) -> None:
    cache = MemoryCache(max_bytes=100_000, clock=clock)
    await cache.set("key", b"12345", 1.0)
    clock.advance(2.0)
    assert cache.entry_count == 1  # lazily: nothing happens until someone looks

    assert await cache.get("key") is None

    assert cache.entry_count == 0
    assert cache.byte_size == 0


async def test_deletions_release_their_bytes(clock: ManualClock) -> None:
    cache = MemoryCache(max_bytes=100_000, clock=clock)
    for key in ("p:a", "p:b", "q:a"):
        await cache.set(key, b"1234", TTL)

    await cache.delete("q:a")
    assert cache.byte_size == 2 * entry_size("p:a", b"1234")
    assert await cache.delete_prefix("p:") == 2
    assert (cache.entry_count, cache.byte_size) == (0, 0)


@pytest.mark.parametrize("max_bytes", [0, -1])
def test_the_bound_must_be_positive(max_bytes: int) -> None:
    with pytest.raises(ValueError, match="must be at least 1"):
        MemoryCache(max_bytes=max_bytes)
