"""Two API processes on one Valkey: hits come from near copies (no Valkey round trip), and
an entry replaced in Valkey is served by the other process within the staleness bound."""

from __future__ import annotations

import time

import httpx
import pytest
from valkey.asyncio import Valkey

from app.api.cache_keys import cache_key
from app.api.cached_entry import Entry
from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from tests.e2e.conftest import eventually, running

pytestmark = pytest.mark.valkey

STALENESS = 0.5


async def get_calls(client: Valkey) -> int:
    stats: dict[str, dict[str, int]] = await client.info("commandstats")
    return stats.get("cmdstat_get", {}).get("calls", 0)


async def test_hits_use_near_copies_and_see_replacements_from_other_processes(
    settings: Settings, upstream: FakeUpstreamServer, valkey_url: str
) -> None:
    shared = settings.model_copy(
        update={"valkey_url": valkey_url, "valkey_near_cache_staleness": STALENESS}
    )
    valkey = Valkey.from_url(valkey_url)
    try:
        async with running(shared) as one, running(shared) as two:
            first = await one.get("/heroes/ana")

            async def copied() -> bool:  # the first hits fill the copy once tracking is on
                hit = await two.get("/heroes/ana")
                return hit.headers["x-cache-status"] == "hit" and await _served_locally(two, valkey)

            await eventually(copied)
            metrics = (await two.get("/metrics")).text

            replacement = Entry(200, time.time(), 60, b'"replaced"', b'{"name": "replaced"}')
            await valkey.set("owdata:" + cache_key("/heroes/ana", b""), replacement.encode())
            changed_at = time.monotonic()
            old_seen = changed_at
            while time.monotonic() < changed_at + 2 * STALENESS:
                if (await two.get("/heroes/ana")).content == first.content:
                    old_seen = time.monotonic()
            latest = await two.get("/heroes/ana")
    finally:
        await valkey.aclose()

    assert first.headers["x-cache-status"] == "miss"
    assert old_seen - changed_at <= STALENESS
    assert latest.json() == {"name": "replaced"}
    assert latest.headers["etag"] == '"replaced"'
    sizes = [line for line in metrics.splitlines() if line.startswith("owdata_memory_cache_bytes")]
    assert sizes, "no owdata_memory_cache_bytes for the near copies"
    assert float(sizes[0].split()[-1]) >= len(first.content)


async def _served_locally(client: httpx.AsyncClient, valkey: Valkey) -> bool:
    """Whether ten more hits leave Valkey's GET count alone."""
    before = await get_calls(valkey)
    for _ in range(10):
        assert (await client.get("/heroes/ana")).headers["x-cache-status"] == "hit"
    return await get_calls(valkey) == before
