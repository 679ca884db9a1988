"""Career pages Blizzard has not served yet (tests/career_mutations.py), end to end: the
fake upstream serves the mutated page in place of TeKrop's, every player route answers 200
with what can be read, and each dropped part shows in `owdata_parse_errors_total` at the
next scrape."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.adapters.cache.memory import MemoryCache
from app.bootstrap import open_adapters
from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from app.domain.errors import ParseProblem
from app.services.hooks import ServiceHooks
from app.services.players.profiles import PlayerProfiles
from app.services.players.unknown import BackoffPolicy, UnknownPlayers
from tests.career_mutations import MUTATIONS, Mutation

TEKROP_CAREER = "/en-us/career/c65b8798bc61d6ffbba120%7Ccfe9dd77a4382165e2b920bdcc035949/"
ROUTES = (
    "/players/TeKrop-2217/summary",
    "/players/TeKrop-2217",
    "/players/TeKrop-2217/stats/summary",
    "/players/TeKrop-2217/stats?gamemode=quickplay",
    "/players/TeKrop-2217/stats?gamemode=competitive",
    "/players/TeKrop-2217/stats/career?gamemode=quickplay",
    "/players/TeKrop-2217/stats/career?gamemode=competitive&hero=all-heroes",
)


async def parse_errors(client: httpx.AsyncClient) -> dict[tuple[str, str], float]:
    """The non-zero `owdata_parse_errors_total` by (page_type, reason), from one scrape of
    /metrics (known label sets are exported at 0 from the start)."""
    response = await client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.labels["page_type"], sample.labels["reason"]): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if sample.name == "owdata_parse_errors_total" and sample.value
    }


def serve(upstream: FakeUpstreamServer, mutation: Mutation) -> None:
    page = upstream.app.body_of(TEKROP_CAREER).decode("utf-8")
    upstream.app.page_overrides[TEKROP_CAREER] = (200, mutation.edit(page).encode("utf-8"))


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
async def test_every_player_route_answers_a_mutated_page(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer, mutation: Mutation
) -> None:
    serve(upstream, mutation)

    first = await client.get(ROUTES[0])
    errors = await parse_errors(client)  # the very next scrape already counts the page
    responses = [first] + [await client.get(route) for route in ROUTES[1:]]

    assert [r.status_code for r in responses] == [200] * len(ROUTES)
    assert responses[0].json()["username"] == "TeKrop"
    expected: dict[tuple[str, str], float] = {}
    for reason in mutation.reasons:
        expected[("career", reason)] = expected.get(("career", reason), 0) + 1
    assert errors == expected  # counted once per parse, not once per answer
    assert await parse_errors(client) == expected
    assert upstream.app.calls[TEKROP_CAREER] == 1  # one parse served all routes


async def test_a_dropped_value_is_visible_in_the_answer_and_the_metric(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    mutation = next(m for m in MUTATIONS if m.name == "malformed-duration-bar")
    serve(upstream, mutation)

    body = (await client.get("/players/TeKrop-2217?gamemode=quickplay&platform=pc")).json()
    errors = await parse_errors(client)

    time_played = body["stats"]["pc"]["quickplay"]["heroes_comparisons"]["time_played"]
    assert "reinhardt" not in {v["hero"] for v in time_played["values"]}
    assert time_played["values"][0]["hero"] == "zarya"  # the next bar keeps its own value
    assert errors == {("career", "unreadable_value"): 1}


async def test_problems_are_counted_once_per_parse_and_again_after_a_parser_upgrade(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    serve(upstream, next(m for m in MUTATIONS if m.name == "malformed-duration-row"))
    seen: list[ParseProblem] = []
    hooks = ServiceHooks(parse_problem=seen.append)
    cache = MemoryCache(max_bytes=1 << 20)
    async with open_adapters(settings, cache) as adapters:
        clock = lambda: 1_800_000_000.0  # noqa: E731
        unknown = UnknownPlayers(adapters.storage, clock, BackoffPolicy(600, 3, 21600))
        profiles = PlayerProfiles(
            adapters.storage, adapters.upstream, clock, unknown, staleness=600, hooks=hooks
        )
        first = await profiles.get("TeKrop-2217")
        again = await profiles.get("TeKrop-2217")  # from storage: not parsed again
        counted_before_upgrade = len(seen)
        stored = await adapters.storage.get_player(first.key)
        assert stored is not None
        # As stored by an older parser: the raw page is parsed again, not fetched again.
        await adapters.storage.put_player(replace(stored, parsed={}, parser_version=1))
        upstream.app.reset()
        upgraded = await profiles.get("TeKrop-2217")

    assert counted_before_upgrade == 1
    assert [(p.page_type, p.reason) for p in seen] == [("career", "unreadable_value")] * 2
    assert again.career == first.career
    assert upgraded.career == first.career
    assert sum(upstream.app.calls.values()) == 0
