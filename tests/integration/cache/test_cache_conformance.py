"""The `Cache` port's contract, run against every adapter: MemoryCache and ValkeyCache.

Each test gets a `Subject`: an empty cache plus a way to let entries stored with
`SHORT_TTL` expire (the manual clock for memory, a real short sleep for Valkey, with and
without near copies). An adapter
added later joins by adding a parameter to the `subject` fixture.
"""

from __future__ import annotations

import asyncio
import math
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from app.adapters.cache.memory import MemoryCache
from app.adapters.cache.valkey import ValkeyCache
from app.ports import Cache
from tests.integration.cache.conftest import ManualClock
from tests.valkey_near import near_cache, until_tracking

SHORT_TTL = 0.2
"""Short enough to keep the Valkey runs quick, long enough to read the value back first."""

LONG_TTL = 60.0


@dataclass(frozen=True, slots=True)
class Subject:
    cache: Cache
    let_short_ttl_expire: Callable[[], Awaitable[None]]


@pytest.fixture(
    params=[
        "memory",
        pytest.param("valkey", marks=pytest.mark.valkey),
        pytest.param("valkey-near", marks=pytest.mark.valkey),
    ]
)
async def subject(request: pytest.FixtureRequest) -> AsyncIterator[Subject]:
    cache: Cache
    if request.param == "memory":
        clock = ManualClock()
        cache = MemoryCache(max_bytes=64 * 1024 * 1024, clock=clock)

        async def let_expire() -> None:
            clock.advance(SHORT_TTL + 0.1)

    else:
        # Resolved here, not as a fixture argument, so memory runs need no server.
        url: str = request.getfixturevalue("valkey_url")
        if request.param == "valkey":
            cache = ValkeyCache.from_url(url, key_prefix="conformance:")
        else:  # with near copies, answering reads from the process once tracking is on
            cache = near_cache(url, key_prefix="conformance:")
            await until_tracking(cache)

        async def let_expire() -> None:
            await asyncio.sleep(SHORT_TTL + 0.1)

    try:
        yield Subject(cache, let_expire)
    finally:
        await cache.close()


async def test_missing_key_is_none(subject: Subject) -> None:
    assert await subject.cache.get("nothing-here") is None


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b'{"name": "Ana"}', id="json"),
        pytest.param(b"\x00\xff\xfe\x80 not utf-8 \xc3\x28", id="non-utf8"),
        pytest.param(bytes(range(256)) * 4, id="every-byte"),
        pytest.param(os.urandom(1024 * 1024), id="1MB"),
    ],
)
async def test_round_trip_of_binary_values(subject: Subject, value: bytes) -> None:
    await subject.cache.set("key", value, LONG_TTL)

    assert await subject.cache.get("key") == value


async def test_keys_are_arbitrary_strings(subject: Subject) -> None:
    keys = ["héros/ana?locale=fr-fr", "with space", "glob*?[x]\\", "a:b:c", ""]
    for index, key in enumerate(keys):
        await subject.cache.set(key, str(index).encode(), LONG_TTL)

    assert [await subject.cache.get(key) for key in keys] == [b"0", b"1", b"2", b"3", b"4"]


async def test_entries_expire_after_their_ttl(subject: Subject) -> None:
    await subject.cache.set("short", b"s", SHORT_TTL)
    await subject.cache.set("long", b"l", LONG_TTL)
    assert await subject.cache.get("short") == b"s"

    await subject.let_short_ttl_expire()

    assert await subject.cache.get("short") is None
    assert await subject.cache.get("long") == b"l"


@pytest.mark.parametrize("ttl", [0.0, -1.0, math.nan], ids=["zero", "negative", "nan"])
async def test_ttl_not_positive_stores_nothing(subject: Subject, ttl: float) -> None:
    await subject.cache.set("new", b"v", ttl)
    await subject.cache.set("existing", b"old", LONG_TTL)
    await subject.cache.set("existing", b"new", ttl)

    assert await subject.cache.get("new") is None
    # "Stores nothing" also means it does not touch what is there.
    assert await subject.cache.get("existing") == b"old"


async def test_set_overwrites_value_and_ttl(subject: Subject) -> None:
    await subject.cache.set("key", b"first", SHORT_TTL)
    await subject.cache.set("key", b"second", LONG_TTL)
    assert await subject.cache.get("key") == b"second"

    await subject.let_short_ttl_expire()

    assert await subject.cache.get("key") == b"second"


async def test_delete_removes_several_keys(subject: Subject) -> None:
    for key in ("a", "b", "c"):
        await subject.cache.set(key, key.encode(), LONG_TTL)

    await subject.cache.delete("a", "b", "never-set")
    await subject.cache.delete()  # no keys: a no-op, not an error

    assert await subject.cache.get("a") is None
    assert await subject.cache.get("b") is None
    assert await subject.cache.get("c") == b"c"


async def test_delete_prefix_deletes_only_keys_starting_with_it(subject: Subject) -> None:
    keys = ["heroes:en-us", "heroes:fr-fr", "heroes", "hero", "maps:heroes:x", "Heroes:en-us"]
    for key in keys:
        await subject.cache.set(key, b"v", LONG_TTL)

    assert await subject.cache.delete_prefix("heroes:") == 2

    remaining = {key for key in keys if await subject.cache.get(key) is not None}
    assert remaining == {"heroes", "hero", "maps:heroes:x", "Heroes:en-us"}


@pytest.mark.parametrize(
    ("prefix", "matching", "decoys"),
    [
        # Each decoy would match if the prefix were used as an unescaped glob pattern.
        pytest.param("x*:", ["x*:1", "x*:2"], ["xy:1", "x:1", "xyz:1"], id="star"),
        pytest.param("x?:", ["x?:1"], ["xy:1", "xz:2"], id="question-mark"),
        pytest.param("x[ab]:", ["x[ab]:1"], ["xa:1", "xb:1"], id="brackets"),
        pytest.param("x[", ["x[1", "x[ab]"], ["x1", "xa"], id="open-bracket"),
        pytest.param("x]", ["x]1"], ["x1"], id="close-bracket"),
        pytest.param("x\\", ["x\\1"], ["x*", "x1"], id="backslash"),
        pytest.param("[^a-z]*", ["[^a-z]*1"], ["A1", "[^a-z]1", "b"], id="negated-class"),
    ],
)
async def test_delete_prefix_matches_glob_characters_literally(
    subject: Subject, prefix: str, matching: list[str], decoys: list[str]
) -> None:
    for key in matching + decoys:
        await subject.cache.set(key, b"v", LONG_TTL)

    assert await subject.cache.delete_prefix(prefix) == len(matching)

    assert [await subject.cache.get(key) for key in matching] == [None] * len(matching)
    assert [await subject.cache.get(key) for key in decoys] == [b"v"] * len(decoys)


async def test_delete_prefix_does_not_count_expired_entries(subject: Subject) -> None:
    await subject.cache.set("p:live", b"v", LONG_TTL)
    await subject.cache.set("p:expired", b"v", SHORT_TTL)
    await subject.let_short_ttl_expire()

    assert await subject.cache.delete_prefix("p:") == 1
    assert await subject.cache.get("p:live") is None


async def test_delete_prefix_handles_many_keys(subject: Subject) -> None:
    # More keys than one SCAN batch of the Valkey adapter.
    for index in range(1200):
        await subject.cache.set(f"bulk:{index}", b"v", LONG_TTL)
    await subject.cache.set("kept", b"v", LONG_TTL)

    assert await subject.cache.delete_prefix("bulk:") == 1200

    assert await subject.cache.get("bulk:0") is None
    assert await subject.cache.get("bulk:1199") is None
    assert await subject.cache.get("kept") == b"v"


async def test_delete_prefix_without_matches_returns_zero(subject: Subject) -> None:
    await subject.cache.set("a", b"v", LONG_TTL)

    assert await subject.cache.delete_prefix("b") == 0
    assert await subject.cache.get("a") == b"v"


async def test_empty_prefix_deletes_everything(subject: Subject) -> None:
    await subject.cache.set("a", b"v", LONG_TTL)
    await subject.cache.set("b", b"v", LONG_TTL)

    assert await subject.cache.delete_prefix("") == 2
    assert await subject.cache.get("a") is None


async def test_close_is_idempotent_and_hides_entries(subject: Subject) -> None:
    await subject.cache.set("key", b"v", LONG_TTL)

    await subject.cache.close()
    await subject.cache.close()

    assert await subject.cache.get("key") is None
