"""The throttle on the in-process store: spacing under concurrency, penalty, hooks.

Timing tests use a 50 ms delay and measure when calls really got through; the others
use a manual clock and an instant sleep.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from app.adapters.throttle import ThrottledUpstream
from app.adapters.throttle.memory import MemoryThrottleStore
from app.domain.errors import UpstreamRateLimitedError, UpstreamStatusError
from app.services.throttle import AimdState, Throttle, ThrottleConfig
from tests.integration.throttle.support import (
    FakeUpstream,
    ManualClock,
    RecordingObserver,
    assert_spaced,
    fire_times,
)

DELAY = 0.05
# After a 403 the delay doubles to 0.1 s (penalty_delay would otherwise make it 10 s).
FAST = ThrottleConfig(start_delay=DELAY, min_delay=DELAY, penalty_delay=DELAY, penalty_duration=0.3)
MANUAL = ThrottleConfig(start_delay=1.0, min_delay=1.0, max_delay=30.0, max_wait=2.5)


def manual_throttle(
    clock: ManualClock, config: ThrottleConfig = MANUAL, observer: RecordingObserver | None = None
) -> tuple[Throttle, MemoryThrottleStore]:
    store = MemoryThrottleStore(config, clock=clock)
    return Throttle(store, config, observer=observer, sleep=clock.sleep), store


async def test_concurrent_callers_fire_at_distinct_times_delay_apart() -> None:
    throttle = Throttle(MemoryThrottleStore(FAST), FAST)

    times = await fire_times(throttle, 10)

    assert_spaced(times, DELAY)


async def test_each_caller_books_its_own_slot(clock: ManualClock) -> None:
    store = MemoryThrottleStore(MANUAL, clock=clock)

    waits = [store.reserve_now(space=True).wait for _ in range(3)]

    assert waits == [0.0, 1.0, 2.0]
    clock.advance(10)  # idle: the next caller goes at once
    assert store.reserve_now(space=True).wait == 0.0


async def test_a_slot_too_far_away_is_refused_without_booking(clock: ManualClock) -> None:
    throttle, store = manual_throttle(clock)
    for _ in range(3):  # slots at +0, +1, +2 (max_wait 2.5)
        store.reserve_now(space=True)

    with pytest.raises(UpstreamRateLimitedError) as refused:
        await throttle.acquire()

    assert refused.value.retry_after == 1  # 3.0 - 2.5, rounded up
    clock.advance(1.0)
    assert store.reserve_now(space=True).wait == 2.0  # the refusal did not push it back


async def test_a_403_refuses_calls_without_sending_them_until_the_window_ends(
    clock: ManualClock,
) -> None:
    observer = RecordingObserver()
    throttle, store = manual_throttle(clock, ThrottleConfig(), observer)
    upstream = FakeUpstream(["403"])
    throttled = ThrottledUpstream(upstream, throttle)

    with pytest.raises(UpstreamRateLimitedError) as first:
        await throttled.get("/a", page_type="career")
    assert first.value.retry_after == 60
    clock.advance(20.4)
    with pytest.raises(UpstreamRateLimitedError) as second:
        await throttled.get("/b", page_type="career")

    assert second.value.retry_after == 40  # 39.6 s left, rounded up
    assert len(upstream.calls) == 1  # nothing was sent inside the window
    assert (observer.rate_limits, observer.refusals) == (1, 1)
    clock.advance(39.6)
    assert (await throttled.get("/c", page_type="career")).status == 200
    assert len(upstream.calls) == 2
    assert store.state.delay == 10.0  # 2.0 doubled, then floored at penalty_delay


async def test_callers_already_waiting_for_a_slot_are_refused_after_a_403() -> None:
    upstream = FakeUpstream(["403"])
    throttled = ThrottledUpstream(upstream, Throttle(MemoryThrottleStore(FAST), FAST))

    results = await asyncio.gather(
        *(throttled.get(f"/{n}", page_type="career") for n in range(4)), return_exceptions=True
    )

    assert all(isinstance(result, UpstreamRateLimitedError) for result in results)
    assert len(upstream.calls) == 1
    await asyncio.sleep(0.3)  # the short penalty ends: calls go out again
    assert (await throttled.get("/after", page_type="career")).status == 200
    assert len(upstream.calls) == 2


async def test_disabled_throttle_does_not_wait_but_a_403_still_blocks() -> None:
    config = ThrottleConfig(enabled=False, start_delay=1.0, penalty_duration=0.3)
    upstream = FakeUpstream(["ok"] * 10 + ["403"])
    throttled = ThrottledUpstream(upstream, Throttle(MemoryThrottleStore(config), config))

    started = time.monotonic()
    await asyncio.gather(*(throttled.get(f"/{n}", page_type="hero") for n in range(10)))
    assert time.monotonic() - started < 0.2  # ten calls with a 1 s delay: no spacing

    for _ in range(2):  # the 403 itself, then a refusal
        with pytest.raises(UpstreamRateLimitedError):
            await throttled.get("/x", page_type="hero")
    assert len(upstream.calls) == 11


async def test_outcomes_feed_the_adaptive_delay(clock: ManualClock) -> None:
    config = ThrottleConfig(start_delay=2.0, slow_start_n_successes=2)
    throttle, store = manual_throttle(clock, config)
    upstream = FakeUpstream(["ok", "500", "ok", "404", "ok"])
    throttled = ThrottledUpstream(upstream, throttle)

    await throttled.get("/", page_type="hero")
    with pytest.raises(UpstreamStatusError):
        await throttled.get("/", page_type="hero")  # resets the streak
    assert store.state == AimdState(2.0, 0.1, 0)
    await throttled.get("/", page_type="hero")
    await throttled.get("/", page_type="hero", accept_statuses=frozenset({200, 404}))

    assert store.state == AimdState(1.0, 0.1, 0)  # two successes in a row: halved
    assert clock.slept == [2.0, 2.0, 2.0]  # the first call went at once


async def test_a_second_403_in_the_window_extends_it_without_doubling_again(
    clock: ManualClock,
) -> None:
    store = MemoryThrottleStore(ThrottleConfig(), clock=clock)

    assert store.record_now("rate_limited") == (10.0, 60.0)
    clock.advance(30)
    store.record_now("success")  # sent before the window opened: ignored
    assert store.record_now("rate_limited") == (10.0, 60.0)

    assert store.state == AimdState(10.0, 2.0, 0)
    assert store.penalty_now() == 60.0


async def test_observer_sees_waits_and_state_and_its_errors_do_not_break_calls(
    clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    observer = RecordingObserver()
    throttle, _ = manual_throttle(clock, observer=observer)
    for _ in range(2):
        await throttle.acquire()
    assert observer.waits == [0.0, 1.0]
    assert observer.states == [(1.0, 0.0), (1.0, 0.0)]

    def broken(seconds: float) -> None:
        raise RuntimeError("metrics bug")

    observer.wait = broken  # type: ignore[method-assign]
    await throttle.acquire()
    assert "observer hook raised" in caplog.text


async def test_status_reads_the_state_without_booking_a_slot(clock: ManualClock) -> None:
    throttle, store = manual_throttle(clock)
    assert await throttle.status() == (1.0, 0.0)
    assert store.reserve_now(space=True).wait == 0.0  # status() booked nothing
    await throttle.report("rate_limited")
    clock.advance(15)
    assert await throttle.status() == (10.0, 45.0)


async def test_close_closes_the_inner_upstream_and_the_store() -> None:
    upstream = FakeUpstream()
    throttled = ThrottledUpstream(upstream, Throttle(MemoryThrottleStore()))
    await throttled.close()
    assert upstream.closed
