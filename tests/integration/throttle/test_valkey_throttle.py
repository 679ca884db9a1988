"""The throttle on Valkey: one schedule for several processes, shared penalty, outages.

Two `ValkeyThrottleStore`s with their own connection pools stand for two processes.
These tests stop and restart the session's shared server; `valkey_url` starts it again
for the next test if one fails half-way.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import cast

import pytest
from valkey.asyncio import Valkey

from app.adapters.circuit_breaker import CircuitBreaker
from app.adapters.throttle import ThrottledUpstream
from app.adapters.throttle.memory import MemoryThrottleStore
from app.adapters.throttle.valkey import ValkeyThrottleStore
from app.domain.errors import UpstreamRateLimitedError
from app.services.throttle import AimdState, Outcome, Throttle, ThrottleConfig
from tests.integration.throttle.support import FakeUpstream, ManualClock, assert_spaced, fire_times
from tests.valkey_server import ValkeyProcess

pytestmark = pytest.mark.valkey

DELAY = 0.05
# After a 403 the delay doubles to 0.1 s (penalty_delay would otherwise make it 10 s).
FAST = ThrottleConfig(start_delay=DELAY, min_delay=DELAY, penalty_delay=DELAY, penalty_duration=0.3)
PREFIX = "test:throttle:"
STATE, PENALTY = PREFIX + "state", PREFIX + "penalty"

StoreFactory = Callable[..., ValkeyThrottleStore]


@pytest.fixture
async def make_store(valkey_url: str) -> AsyncIterator[StoreFactory]:
    stores: list[ValkeyThrottleStore] = []

    def make(
        config: ThrottleConfig = FAST,
        *,
        on_error: Callable[[str], None] | None = None,
        retry_interval: float = 1.0,
    ) -> ValkeyThrottleStore:
        client: Valkey = Valkey.from_url(valkey_url, socket_timeout=0.5)
        circuit = CircuitBreaker("throttle", threshold=1, cooldown=retry_interval)
        store = ValkeyThrottleStore(
            client, config, key_prefix=PREFIX, on_error=on_error, circuit=circuit
        )
        stores.append(store)
        return store

    yield make
    for store in stores:
        await store.close()


async def test_concurrent_callers_fire_delay_apart(make_store: StoreFactory) -> None:
    times = await fire_times(Throttle(make_store(), FAST), 10)

    assert_spaced(times, DELAY)


async def test_two_processes_share_one_schedule(make_store: StoreFactory) -> None:
    first, second = Throttle(make_store(), FAST), Throttle(make_store(), FAST)

    both = await asyncio.gather(fire_times(first, 10), fire_times(second, 10))

    times = sorted(both[0] + both[1])
    assert_spaced(times, DELAY)


async def test_a_403_in_one_process_stops_the_others_until_the_window_ends(
    make_store: StoreFactory,
) -> None:
    seen_403, other = FakeUpstream(["403"]), FakeUpstream()
    first = ThrottledUpstream(seen_403, Throttle(make_store(), FAST))
    second = ThrottledUpstream(other, Throttle(make_store(), FAST))

    with pytest.raises(UpstreamRateLimitedError):
        await first.get("/a", page_type="career")
    with pytest.raises(UpstreamRateLimitedError) as refused:
        await second.get("/b", page_type="career")

    assert refused.value.retry_after == 1  # under 0.3 s left, rounded up
    assert other.calls == []
    await asyncio.sleep(0.3)
    assert (await second.get("/b", page_type="career")).status == 200


async def test_disabled_throttle_still_shares_the_penalty(make_store: StoreFactory) -> None:
    config = ThrottleConfig(enabled=False, start_delay=1.0, penalty_duration=0.3)
    first, second = Throttle(make_store(config), config), Throttle(make_store(config), config)
    await asyncio.gather(*(first.acquire() for _ in range(5)))  # no 1 s spacing
    await first.report("rate_limited")

    with pytest.raises(UpstreamRateLimitedError):
        await second.acquire()


async def test_the_lua_script_does_the_same_arithmetic_as_next_state(
    make_store: StoreFactory, valkey_server: ValkeyProcess, clock: ManualClock
) -> None:
    config = ThrottleConfig(slow_start_n_successes=3, aimd_n_successes=4, aimd_delta=0.3)
    shared, local = make_store(config), MemoryThrottleStore(config, clock=clock)
    reader: Valkey = Valkey.from_url(valkey_server.url)
    kinds: list[Outcome] = ["success", "other", "rate_limited"]
    ok, other, limited = kinds
    # Slow start, a reset streak, a 403, then a random mix (AIMD, repeated 403s, clamps).
    outcomes = [ok] * 8 + [other] + [ok] * 2 + [limited]
    outcomes += random.Random(4).choices(kinds, [40, 3, 1], k=600)
    try:
        for outcome in outcomes:
            await shared.record(outcome)
            local.record_now(outcome)
            if outcome == "rate_limited":  # end both windows, so successes count again
                valkey_server.command("DEL", PENALTY)
                clock.advance(config.penalty_duration)
            fields = reader.hmget(STATE, ["delay", "ssthresh", "streak"])
            delay, ssthresh, streak = await cast("Awaitable[list[bytes]]", fields)
            assert AimdState(float(delay), float(ssthresh), int(streak)) == local.state
    finally:
        await reader.aclose()


async def test_state_survives_a_restart_of_the_process(make_store: StoreFactory) -> None:
    config = ThrottleConfig(penalty_duration=60)
    await make_store(config).record("rate_limited")

    delay, penalty = await Throttle(make_store(config), config).status()  # a new "process"

    assert delay == 10.0
    assert 59 < penalty <= 60


async def test_a_schedule_far_in_the_future_means_the_server_clock_went_back(
    make_store: StoreFactory, valkey_server: ValkeyProcess
) -> None:
    valkey_server.command("HSET", STATE, "last_slot", str(10**17))

    assert (await make_store().reserve(space=True)).wait == 0.0


async def test_valkey_down_means_in_process_throttling_then_back_to_valkey(
    make_store: StoreFactory, valkey_server: ValkeyProcess, caplog: pytest.LogCaptureFixture
) -> None:
    errors: list[str] = []
    store = make_store(on_error=errors.append, retry_interval=0.1)
    throttle = Throttle(store, FAST)
    before = await fire_times(throttle, 3)
    assert valkey_server.command("HEXISTS", STATE, "last_slot") == b":1"

    valkey_server.stop()
    with caplog.at_level(logging.WARNING, logger="app.adapters.throttle.valkey"):
        during = await fire_times(throttle, 5)

    times = before + during
    assert_spaced(times, DELAY)  # spacing held throughout
    # Every failed attempt is counted (the 5 concurrent first ones each fail), but the
    # warning is logged once.
    assert errors[0] == "reserve"
    assert set(errors) <= {"reserve", "penalty"}
    assert len(caplog.records) == 1

    valkey_server.restart()  # empty: it persists nothing
    await asyncio.sleep(0.1)
    await throttle.acquire()
    assert valkey_server.command("HEXISTS", STATE, "last_slot") == b":1"
    await throttle.report("rate_limited")
    assert valkey_server.command("EXISTS", PENALTY) == b":1"
