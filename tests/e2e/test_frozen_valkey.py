"""A frozen Valkey (SIGSTOP, not dead) costs about what no Valkey costs (issue 12, defect
4): once the cache's circuit breaker opened, requests answer at storage speed instead of
waiting for Valkey's timeout, `owdata_valkey_circuit_open` says so, and after SIGCONT a
probe closes the breaker and the shared cache is used again."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from tests.e2e.conftest import eventually, running
from tests.valkey_server import ValkeyProcess

pytestmark = pytest.mark.valkey

COOLDOWN = 1.0
FAST = 0.25  # a request served from storage takes milliseconds; Valkey's timeout is 1 s


def circuit_open(metrics: str) -> float | None:
    line = "owdata_valkey_circuit_open "
    values = [float(row.removeprefix(line)) for row in metrics.splitlines() if row.startswith(line)]
    return values[0] if values else None


async def timed_get(http: httpx.AsyncClient, path: str) -> float:
    started = time.monotonic()
    response = await http.get(path)
    assert response.status_code == 200
    return time.monotonic() - started


async def test_requests_stay_fast_while_valkey_is_frozen_and_it_is_used_again_after(
    settings: Settings, upstream: FakeUpstreamServer, valkey_server: ValkeyProcess, valkey_url: str
) -> None:
    shared = settings.model_copy(
        update={
            "valkey_url": valkey_url,
            "valkey_breaker_threshold": 2,
            "valkey_breaker_cooldown": COOLDOWN,
        }
    )
    async with running(shared) as http:
        await timed_get(http, "/heroes")  # stored, and cached in Valkey
        before = (await http.get("/metrics")).text
        valkey_server.pause()
        try:
            # The first request pays the timeouts (a get and a set) that open the breaker…
            first = await timed_get(http, "/heroes?role=tank")
            during = [await timed_get(http, f"/heroes?role={r}") for r in ("support", "damage")]
            during += [await timed_get(http, "/heroes/ana") for _ in range(5)]
            frozen = (await http.get("/metrics")).text
        finally:
            valkey_server.resume()
        await asyncio.sleep(COOLDOWN)
        valkey_server.flushall()

        async def cached_in_valkey_again() -> bool:
            await http.get("/roles")  # the first one after the cool-down is the probe
            return valkey_server.command("DBSIZE") != b":0"

        await eventually(cached_in_valkey_again)
        after = (await http.get("/metrics")).text

    assert first > 0.9  # a frozen Valkey really was in the way
    assert max(during) < FAST, during  # …then Valkey is skipped: storage speed
    assert circuit_open(before) == 0
    assert circuit_open(frozen) == 1
    assert circuit_open(after) == 0
