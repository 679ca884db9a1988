"""`NearCopies`: served only while known current, bounded in bytes, and never filled by a
reply that an invalidation overtook."""

from __future__ import annotations

import math

import pytest

from app.adapters.cache.lru import entry_size
from app.adapters.cache.near import NearCopies
from tests.unit.adapters.conftest import Clock


def current(clock: Clock, max_bytes: int = 1 << 20) -> NearCopies:
    near = NearCopies(max_bytes=max_bytes, staleness=1.0, clock=clock)
    near.fresh_as_of = clock.now
    return near


def filled(near: NearCopies, key: str, value: bytes, ttl: float = 60.0) -> None:
    near.fill(key, near.begin(key), value, ttl)


def test_a_filled_copy_is_served_until_it_expires(clock: Clock) -> None:
    near = current(clock)
    filled(near, "k", b"v", ttl=5)

    assert near.get("k") == b"v"
    clock.now += 5
    near.fresh_as_of = clock.now
    assert near.get("k") is None
    assert near.entry_count == 0


def test_copies_are_not_served_once_invalidations_are_not_known_current(clock: Clock) -> None:
    near = current(clock)
    filled(near, "k", b"v")

    clock.now += 1.0
    assert near.get("k") == b"v"  # exactly the staleness bound
    clock.now += 0.001
    assert near.get("k") is None
    assert near.begin("other") is None  # nor filled
    near.fresh_as_of = clock.now
    assert near.get("k") == b"v"


def test_nothing_is_served_or_filled_before_tracking_starts(clock: Clock) -> None:
    near = NearCopies(max_bytes=1 << 20, staleness=1.0, clock=clock)
    assert near.fresh_as_of == -math.inf
    filled(near, "k", b"v")

    assert near.get("k") is None
    assert near.entry_count == 0


def test_a_reply_overtaken_by_an_invalidation_is_not_kept(clock: Clock) -> None:
    near = current(clock)
    token = near.begin("k")  # the GET is sent...
    near.invalidate(["k"])  # ...another process writes; its invalidation arrives first
    near.fill("k", token, b"old", 60)  # ...then the reply read before the write

    assert near.get("k") is None


def test_a_flush_cancels_fills_in_flight(clock: Clock) -> None:
    near = current(clock)
    token = near.begin("k")
    near.flush()
    near.fill("k", token, b"old", 60)

    assert near.get("k") is None


def test_a_later_get_of_the_same_key_wins(clock: Clock) -> None:
    near = current(clock)
    first, second = near.begin("k"), near.begin("k")
    near.fill("k", first, b"first", 60)
    near.fill("k", second, b"second", 60)

    assert near.get("k") == b"second"


def test_invalidations_drop_copies_by_key_and_prefix(clock: Clock) -> None:
    near = current(clock)
    for key in ("heroes:a", "heroes:b", "maps"):
        filled(near, key, b"v")
    near.invalidate(["maps"])
    assert near.get("maps") is None
    near.invalidate_prefix("heroes:")

    assert near.entry_count == 0
    assert near.byte_size == 0


def test_bytes_stay_bounded_least_recently_used_first(clock: Clock) -> None:
    size = entry_size("a", b"x" * 1000)  # counted as the in-process cache counts
    near = current(clock, max_bytes=3 * size)
    for key in "abc":
        filled(near, key, b"x" * 1000)
    assert near.get("a") is not None  # b is now the least recently used
    filled(near, "d", b"x" * 1000)

    assert near.byte_size == 3 * size
    assert [key for key in "abcd" if near.get(key) is not None] == ["a", "c", "d"]


def test_a_value_larger_than_the_bound_is_not_kept(clock: Clock) -> None:
    near = current(clock, max_bytes=4096)
    filled(near, "small", b"s")
    filled(near, "big", b"x" * 4096)

    assert near.get("big") is None
    assert near.get("small") == b"s"
    assert near.byte_size == entry_size("small", b"s")


def test_many_tiny_values_are_bounded_too(clock: Clock) -> None:
    near = current(clock, max_bytes=10 * entry_size("k000", b""))
    for i in range(1000):
        filled(near, f"k{i:03d}", b"")

    assert near.entry_count == 10
    assert near.byte_size == 10 * entry_size("k000", b"")


@pytest.mark.parametrize("ttl", [0.0, -1.0, math.nan])
def test_a_non_positive_ttl_keeps_nothing(clock: Clock, ttl: float) -> None:
    near = current(clock)
    filled(near, "k", b"v", ttl=ttl)

    assert near.get("k") is None
