"""Storage-served answers reuse the decoded profile and its stats views only while the
stored profile is unchanged: a profile written meanwhile (by another process) is served."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.adapters.cache.memory import MemoryCache
from app.bootstrap import open_adapters
from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from tests.e2e.conftest import running

TEKROP_ID = "c65b8798bc61d6ffbba120%7Ccfe9dd77a4382165e2b920bdcc035949"


def without_heroes(career: Any) -> Any:
    """The career with no hero in any career-stats view (a visibly different profile)."""
    stats = career["stats"]
    platforms = {
        name: {
            mode: {**values, "career_stats": {}} if values else values
            for mode, values in platform.items()
        }
        if platform
        else platform
        for name, platform in stats.items()
    }
    return {**career, "stats": platforms}


async def test_a_profile_changed_in_storage_is_served_changed(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    async with running(settings) as client:
        first = await client.get("/players/TeKrop-2217/stats/summary")
        assert first.json()["heroes"]

        # Another process rewrites the profile (fresh, so no upstream call is needed).
        cache = MemoryCache(max_bytes=1 << 20)
        async with open_adapters(settings, cache) as ports:
            record = await ports.storage.get_player(TEKROP_ID)
            assert record is not None
            await ports.storage.put_player(replace(record, parsed=without_heroes(record.parsed)))
        upstream.app.reset()

        # Another response-cache key of the same profile and view: served from storage.
        changed = await client.get(f"/players/{TEKROP_ID}/stats/summary")

    assert changed.status_code == 200
    assert changed.headers["x-cache-status"] == "miss"
    assert changed.json() == {}  # no hero left
    assert sum(upstream.app.calls.values()) == 0
