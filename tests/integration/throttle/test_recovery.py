"""After a 403 penalty ends, the spacing returns to the configured start in bounded calls.

The defect this guards against: after a single 403 the delay settled at twice the old
delay (the slow-start threshold) and only crept down by `aimd_delta` every
`aimd_n_successes` calls, so cold player lookups took 10-20 s for a quarter of an hour.
"""

from __future__ import annotations

import pytest
from valkey.asyncio import Valkey

from app.adapters.throttle import ThrottledUpstream
from app.adapters.throttle.memory import MemoryThrottleStore
from app.adapters.throttle.valkey import ValkeyThrottleStore
from app.domain.errors import UpstreamRateLimitedError
from app.services.throttle import Throttle, ThrottleConfig
from tests.integration.throttle.support import FakeUpstream, ManualClock
from tests.valkey_server import ValkeyProcess

DEFAULTS = ThrottleConfig()  # start 2 s, penalty delay 10 s, 60 s window, halve every 10

# The spacing before each call once the window has closed: 10 s (2 s doubled, floored at
# the penalty delay) for 10 calls, halved every 10 successes, back at the start after 30.
EXPECTED_SPACING = [10.0] * 10 + [5.0] * 10 + [2.5] * 10 + [2.0] * 10


async def test_the_spacing_is_back_at_the_start_delay_30_calls_after_one_403(
    clock: ManualClock,
) -> None:
    store = MemoryThrottleStore(DEFAULTS, clock=clock)
    throttled = ThrottledUpstream(
        FakeUpstream(["ok", "403"]), Throttle(store, DEFAULTS, sleep=clock.sleep)
    )
    await throttled.get("/before", page_type="career")
    with pytest.raises(UpstreamRateLimitedError):
        await throttled.get("/rate-limited", page_type="career")
    clock.advance(DEFAULTS.penalty_duration)

    spacing: list[float] = []
    for _ in EXPECTED_SPACING:
        before = clock.now
        await throttled.get("/after", page_type="career")
        spacing.append(clock.now - before)

    # The first call after the window goes at once (its slot is long past); each next one
    # waits the delay the throttle had when it booked.
    assert spacing[0] == 0.0
    assert spacing[1:] == EXPECTED_SPACING[1:]
    assert store.state.delay == 2.0
    bound = DEFAULTS.recovery_bound()
    assert bound is not None
    assert EXPECTED_SPACING.index(2.0) <= bound


@pytest.mark.valkey
async def test_the_valkey_store_returns_to_the_start_delay_on_the_same_curve(
    valkey_server: ValkeyProcess,
) -> None:
    prefix = "test:throttle-recovery:"
    valkey_server.command("DEL", prefix + "state", prefix + "penalty")
    store = ValkeyThrottleStore(
        Valkey.from_url(valkey_server.url, socket_timeout=0.5), DEFAULTS, key_prefix=prefix
    )
    try:
        assert await store.record("rate_limited") == (10.0, DEFAULTS.penalty_duration)
        assert (await store.record("success"))[0] == 10.0  # inside the window: ignored
        valkey_server.command("DEL", prefix + "penalty")  # the window ends

        delays = [(await store.record("success"))[0] for _ in EXPECTED_SPACING]
    finally:
        await store.close()

    # The delay after each success: what the next call would wait.
    assert delays == [*EXPECTED_SPACING[1:], 2.0]
