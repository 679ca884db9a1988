"""`ResponseCacheMiddleware` over each cache adapter: hits answer exactly what the miss
sent, with `Age` kept current, and its prepared hits never outlive or hide the cache entry
they were built from."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from app.adapters.cache.memory import MemoryCache
from app.adapters.cache.valkey import ValkeyCache
from app.api.cache_keys import cache_key
from app.api.cached_entry import Entry
from app.api.response_cache import ResponseCacheMiddleware
from app.metrics import LookupCounts
from app.ports import Cache
from tests.integration.cache.conftest import ManualClock
from tests.valkey_near import near_cache, until_tracking

MAX_AGE = 60


@dataclass
class Origin:
    """The app behind the cache: counts its calls and numbers its answers."""

    calls: int = 0
    max_age: int = MAX_AGE
    extra_cache_control: str = ""
    age: int = 0
    padding: int = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        answer = {"path": scope["path"], "answer": self.calls, "pad": "x" * self.padding}
        body = json.dumps(answer).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", b"%d" % len(body)),
            (
                b"cache-control",
                b"public, max-age=%d%s" % (self.max_age, self.extra_cache_control.encode()),
            ),
            (b"age", b"%d" % self.age),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@dataclass
class Recorded:
    requests: list[tuple[str, str, int]] = field(default_factory=list)

    def recorder_for(self, path: str, method: str) -> object:
        def record(status: int, seconds: float) -> None:
            assert seconds >= 0
            self.requests.append((path, method, status))

        return record


@dataclass
class Subject:
    cache: Cache
    clock: ManualClock
    origin: Origin
    counts: LookupCounts
    recorded: Recorded
    client: httpx.AsyncClient


STALE_TTL = 1


@pytest.fixture(
    params=[
        "memory",
        pytest.param("valkey", marks=pytest.mark.valkey),
        pytest.param("valkey-near", marks=pytest.mark.valkey),
    ]
)
async def subject(request: pytest.FixtureRequest) -> AsyncIterator[Subject]:
    clock = ManualClock(1_700_000_000.0)
    cache: Cache
    if request.param == "memory":
        cache = MemoryCache(max_bytes=1 << 20, clock=clock)
    elif request.param == "valkey":
        cache = ValkeyCache.from_url(request.getfixturevalue("valkey_url"), key_prefix="rc:")
    else:
        cache = near_cache(request.getfixturevalue("valkey_url"), key_prefix="rc:")
        await until_tracking(cache)
    origin, counts, recorded = Origin(), LookupCounts("test"), Recorded()
    app = ResponseCacheMiddleware(
        origin,
        cache=cache,
        clock=clock,
        counts=counts,
        recorder_for=recorded.recorder_for,  # type: ignore[arg-type]
        stale_ttl=STALE_TTL,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://owdata") as client:
        yield Subject(cache, clock, origin, counts, recorded, client)
    await cache.close()


async def test_hits_send_the_miss_bytes_with_a_current_age(subject: Subject) -> None:
    miss = await subject.client.get("/heroes/ana")
    subject.clock.advance(5)
    first = await subject.client.get("/heroes/ana")
    subject.clock.advance(2.5)
    second = await subject.client.get("/heroes/ana")

    assert subject.origin.calls == 1
    assert miss.headers.get("x-cache-status") != "hit"
    assert first.headers["x-cache-status"] == second.headers["x-cache-status"] == "hit"
    assert miss.content == first.content == second.content
    assert miss.headers["etag"] == first.headers["etag"] == second.headers["etag"]
    assert first.headers["cache-control"] == f"public, max-age={MAX_AGE}"
    assert (first.headers["age"], second.headers["age"]) == ("5", "7")
    assert int(first.headers["content-length"]) == len(miss.content)
    assert (subject.counts.hit, subject.counts.miss) == (2, 1)
    assert [r[2] for r in subject.recorded.requests] == [200, 200]  # hits only


async def test_a_replaced_entry_is_served_instead_of_the_prepared_one(subject: Subject) -> None:
    await subject.client.get("/heroes/ana")
    await subject.client.get("/heroes/ana")  # prepared now
    replacement = Entry(200, subject.clock(), MAX_AGE, b'"other"', b'{"answer": "replaced"}')
    await subject.cache.set(cache_key("/heroes/ana", b""), replacement.encode(), MAX_AGE)

    hit = await subject.client.get("/heroes/ana")

    assert hit.json() == {"answer": "replaced"}
    assert hit.headers["etag"] == '"other"'
    assert subject.origin.calls == 1


async def test_a_deleted_entry_goes_back_to_the_app(subject: Subject) -> None:
    await subject.client.get("/heroes/ana")
    await subject.client.get("/heroes/ana")
    await subject.cache.delete(cache_key("/heroes/ana", b""))

    again = await subject.client.get("/heroes/ana")

    assert again.json()["answer"] == 2
    assert again.headers.get("x-cache-status") != "hit"
    assert (await subject.client.get("/heroes/ana")).json()["answer"] == 2


@pytest.mark.parametrize(
    "stored",
    [b"no header line", b'200 not-a-time 60 "e"\n{}', b"200 1.0\n{}"],
    ids=["no-newline", "bad-number", "missing-fields"],
)
async def test_an_unreadable_entry_is_answered_as_a_miss_and_replaced(
    subject: Subject, stored: bytes
) -> None:
    """Another version's format or a damaged value must not become a 500."""
    await subject.client.get("/heroes/ana")
    await subject.client.get("/heroes/ana")  # prepared
    key = cache_key("/heroes/ana", b"")
    await subject.cache.set(key, stored, 60)

    again = await subject.client.get("/heroes/ana")
    after = await subject.client.get("/heroes/ana")

    assert again.status_code == 200
    assert again.json()["answer"] == 2
    assert after.headers["x-cache-status"] == "hit"
    assert after.content == again.content
    assert Entry.decode(await subject.cache.get(key) or b"").body == again.content


async def test_an_expired_entry_goes_back_to_the_app(subject: Subject) -> None:
    subject.origin.max_age = 1
    await subject.client.get("/roles")
    await subject.client.get("/roles")
    subject.clock.advance(1.5)  # the memory cache's clock
    if isinstance(subject.cache, ValkeyCache):
        await asyncio.sleep(1.2)

    assert (await subject.client.get("/roles")).json()["answer"] == 2


async def test_equivalent_queries_share_the_entry_and_see_its_replacement(
    subject: Subject,
) -> None:
    first = await subject.client.get("/heroes?locale=fr-fr&role=tank")
    reordered = await subject.client.get("/heroes?role=tank&locale=fr-fr&utm=x")
    replacement = Entry(200, subject.clock(), MAX_AGE, b'"new"', b"{}")
    await subject.cache.set(
        cache_key("/heroes", b"role=tank&locale=fr-fr"), replacement.encode(), 9
    )

    assert reordered.content == first.content
    assert subject.origin.calls == 1
    for query in ("locale=fr-fr&role=tank", "role=tank&locale=fr-fr&utm=x"):
        assert (await subject.client.get(f"/heroes?{query}")).headers["etag"] == '"new"'


async def test_head_and_if_none_match_on_a_prepared_hit(subject: Subject) -> None:
    miss = await subject.client.get("/maps")
    await subject.client.get("/maps")

    head = await subject.client.head("/maps")
    not_modified = await subject.client.get(
        "/maps", headers={"if-none-match": miss.headers["etag"]}
    )
    other_tag = await subject.client.get("/maps", headers={"if-none-match": '"nope"'})

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(miss.content))
    assert head.headers["etag"] == miss.headers["etag"]
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == miss.headers["etag"]
    assert other_tag.status_code == 200
    assert other_tag.content == miss.content
    assert ("/maps", "HEAD", 200) in subject.recorded.requests
    assert ("/maps", "GET", 304) in subject.recorded.requests
    assert subject.origin.calls == 1


async def test_uncached_paths_and_methods_pass_through(subject: Subject) -> None:
    await subject.client.get("/docs")
    await subject.client.get("/docs")
    await subject.client.post("/heroes/ana")

    assert subject.origin.calls == 3
    assert (subject.counts.hit, subject.counts.miss) == (0, 0)


async def test_a_stale_answer_is_reused_for_stale_ttl_and_says_it_is_stale(
    subject: Subject,
) -> None:
    subject.origin.extra_cache_control = ", stale-while-revalidate=60"
    subject.origin.age = MAX_AGE + 30
    stale = await subject.client.get("/players/TeKrop-2217/summary")
    subject.clock.advance(0.5)
    again = await subject.client.get("/players/TeKrop-2217/summary")
    subject.clock.advance(STALE_TTL)
    if isinstance(subject.cache, ValkeyCache):
        await asyncio.sleep(STALE_TTL + 0.2)
    later = await subject.client.get("/players/TeKrop-2217/summary")

    assert again.content == stale.content
    assert again.headers["x-cache-status"] == "stale"
    assert again.headers["cache-control"] == f"public, max-age={MAX_AGE}, stale-while-revalidate=60"
    assert again.headers["age"] == str(MAX_AGE + 30)
    assert later.json()["answer"] == 2  # rendered again: its refresh may have landed
    assert (subject.counts.stale, subject.counts.hit, subject.counts.miss) == (1, 0, 2)


async def test_stale_answers_are_not_stored_when_stale_ttl_is_zero(subject: Subject) -> None:
    subject.origin.extra_cache_control = ", stale-while-revalidate=60"
    subject.origin.age = MAX_AGE + 30
    app = ResponseCacheMiddleware(subject.origin, cache=subject.cache, clock=subject.clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://owdata") as client:
        await client.get("/players/TeKrop-2217")
        again = await client.get("/players/TeKrop-2217")

    assert again.json()["answer"] == 2


def test_entries_round_trip_and_read_the_format_without_swr() -> None:
    fresh = Entry(200, 1_700_000_000.25, 600, b'"abc"', b'{"a": 1}\n')
    stale = fresh._replace(swr=3600)

    assert Entry.decode(fresh.encode()) == fresh
    assert Entry.decode(stale.encode()) == stale
    assert Entry.decode(b'404 12.500 60 "x"\n{}') == Entry(404, 12.5, 60, b'"x"', b"{}")


def bounded(max_bytes: int) -> tuple[ResponseCacheMiddleware, Origin, httpx.AsyncClient]:
    origin = Origin(padding=1000)
    app = ResponseCacheMiddleware(
        origin, cache=MemoryCache(max_bytes=1 << 20), prepared_max_bytes=max_bytes
    )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://owdata")
    return app, origin, client


async def test_prepared_hits_stay_within_their_bytes() -> None:
    """Each prepared hit holds its stored bytes and a copy of its body: bounded in bytes,
    whatever the number of answers (a few hundred whole profiles would be 100+ MB)."""
    app, origin, client = bounded(8 * 1024)
    async with client:
        for n in range(40):
            miss = await client.get(f"/heroes/h{n}")
            hit = await client.get(f"/heroes/h{n}")

            assert hit.headers["x-cache-status"] == "hit"
            assert hit.content == miss.content
            assert 0 < app.prepared_bytes <= 8 * 1024
    assert origin.calls == 40


async def test_an_answer_bigger_than_the_bound_is_sent_not_kept() -> None:
    app, origin, client = bounded(1024)
    async with client:
        miss = await client.get("/heroes/ana")
        hits = [await client.get("/heroes/ana") for _ in range(2)]

    assert [hit.content for hit in hits] == [miss.content] * 2
    assert [hit.headers["x-cache-status"] for hit in hits] == ["hit", "hit"]
    assert app.prepared_bytes == 0
    assert origin.calls == 1
