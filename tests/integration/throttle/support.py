"""Test doubles for the throttle: a manual clock, a scripted upstream, a recording observer.

Example:
    upstream = FakeUpstream(["403", "ok"])  # first call answers 403, then 200s
    throttled = ThrottledUpstream(upstream, Throttle(store, config))
    times = await fire_times(throttle, 10)  # when each of 10 concurrent acquires got through
    assert_spaced(times, delay=0.05)
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import Iterable, Mapping

from app.domain.errors import UpstreamRateLimitedError, UpstreamStatusError
from app.ports import UpstreamResponse
from app.services.throttle import Throttle


class ManualClock:
    """A monotonic clock that moves only when told to; `sleep` advances it instantly."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)


class FakeUpstream:
    """An `Upstream` answering from a script: "ok" (200), "403", "500", "404"; then "ok".

    Records the monotonic time of every call it receives in `calls`.
    """

    def __init__(self, script: Iterable[str] = ()) -> None:
        self.script = list(script)
        self.calls: list[float] = []
        self.closed = False

    async def get(
        self,
        path: str,
        *,
        page_type: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        accept_statuses: frozenset[int] = frozenset({200}),
    ) -> UpstreamResponse:
        self.calls.append(time.monotonic())
        answer = self.script.pop(0) if self.script else "ok"
        status = 200 if answer == "ok" else int(answer)
        if status == 403:
            raise UpstreamRateLimitedError(60)  # what HttpUpstream says; the throttle knows better
        if status not in accept_statuses:
            raise UpstreamStatusError(status)
        return UpstreamResponse(status=status, content=b"page", url=path)

    async def close(self) -> None:
        self.closed = True


class RecordingObserver:
    """A `ThrottleObserver` that writes down every hook call."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.states: list[tuple[float, float]] = []
        self.rate_limits = 0
        self.refusals = 0

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)

    def state(self, delay: float, penalty_remaining: float) -> None:
        self.states.append((delay, penalty_remaining))

    def rate_limited(self) -> None:
        self.rate_limits += 1

    def refused(self) -> None:
        self.refusals += 1


async def fire_times(throttle: Throttle, count: int) -> list[float]:
    """Start `count` concurrent `acquire()`s; return when each got through, sorted."""
    times: list[float] = []

    async def one() -> None:
        await throttle.acquire()
        times.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(count)))
    return sorted(times)


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def assert_spaced(times: list[float], delay: float, slack: float = 0.01) -> None:
    """Check that sorted send `times` are distinct and the i-th is >= i·delay after the first.

    Every call goes out at or after its booked slot and slots are `delay` apart, so this
    holds however late a wake-up is. A single gap, though, looks shorter when the earlier
    call woke late (by 30 ms on an overloaded machine), so gaps are only checked through
    their median. `slack` covers the first call's own lag (for Valkey, the reply latency).
    A thundering herd fails at once: its calls go out together.
    """
    assert all(later > earlier for earlier, later in itertools.pairwise(times)), times
    for index, sent in enumerate(times):
        assert sent - times[0] >= index * delay - slack, (index, gaps(times))
    assert statistics.median(gaps(times)) >= delay - slack, gaps(times)
