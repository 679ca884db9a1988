"""The decoded-profile LRU: bounded in bytes, least recently used first, exact rows only."""

from __future__ import annotations

from app.adapters.storage.decoded_cache import DECODED_BYTES_PER_JSON_BYTE, DecodedCache

T = "player_profiles"
SIZE = 1 + DECODED_BYTES_PER_JSON_BYTE * 100  # a 1-byte blob and 100 bytes of JSON


def test_a_value_is_reused_only_for_the_same_stored_bytes() -> None:
    cache = DecodedCache(10_000)
    value = {"v": 1}
    cache.put(T, "a", b"1", value, 100)
    hit = cache.get(T, "a", b"1")
    assert hit is not None
    assert hit.value is value
    assert cache.get(T, "a", b"2") is None  # the row changed: dropped, never served
    assert cache.get(T, "a", b"1") is None
    assert cache.bytes == 0


def test_least_recently_used_go_first_and_bytes_stay_bounded() -> None:
    cache = DecodedCache(3 * SIZE)
    for key in "abc":
        cache.put(T, key, b"x", key, 100)
    assert cache.get(T, "a", b"x") is not None  # now "b" is the oldest
    cache.put(T, "d", b"x", "d", 100)
    assert [k for k in "abcd" if cache.get(T, k, b"x")] == ["a", "c", "d"]
    assert cache.bytes == 3 * SIZE


def test_too_big_values_and_a_zero_bound_keep_nothing() -> None:
    cache = DecodedCache(SIZE - 1)
    cache.put(T, "a", b"x", "a", 100)
    assert len(cache) == 0
    assert cache.bytes == 0
    off = DecodedCache(0)
    off.put(T, "a", b"x", "a", 0)
    assert len(off) == 0


def test_discard_and_clear_free_their_bytes() -> None:
    cache = DecodedCache(10 * SIZE)
    cache.put(T, "a", b"x", "a", 100)
    cache.put(T, "b", b"x", "b", 100)
    cache.discard(T, "a", None, "missing")
    assert cache.bytes == SIZE
    assert cache.get(T, "a", b"x") is None
    cache.clear()
    assert cache.bytes == 0
    assert len(cache) == 0
