"""One throttle in front of every upstream call: spacing, adaptive delay, 403 penalty.

How it works (the README can quote this):

* **Slot reservation.** Each caller atomically books the next send time,
  `slot = max(now, last_slot + delay)` and `last_slot = slot`, then sleeps until its own
  slot. N concurrent callers get N distinct slots `delay` apart, instead of all reading
  the same "last request", sleeping the same amount and firing together. Booking is a
  synchronous critical section in process (`MemoryThrottleStore`) and one Lua script on
  the server clock in Valkey (`ValkeyThrottleStore`), so all processes behind one Valkey
  share one schedule. A caller whose slot is more than `max_wait` away is refused (503)
  rather than queued, so a burst cannot book slots minutes ahead.
* **Penalty.** Blizzard signals rate limiting with HTTP 403. A 403 opens a window of
  `penalty_duration` seconds in which nothing is sent: `acquire()` raises
  `UpstreamRateLimitedError(retry_after=<remaining whole seconds, >= 1>)` (503 +
  Retry-After), and callers already sleeping towards a slot check again before sending.
  This holds with the throttle disabled too (disabling only turns the spacing off).
* **Adaptive delay: slow start + AIMD** (TCP congestion control, with delay = 1/rate).
  After a 403: `ssthresh = start_delay`, then
  `delay = min(max(2·delay, penalty_delay), max_delay)`. Each 200 outside a penalty
  grows a success streak: while `delay > ssthresh` (slow start) every
  `slow_start_n_successes` halve the delay (not below ssthresh); otherwise every
  `aimd_n_successes` subtract `aimd_delta`. The delay stays in [min_delay, max_delay].
  So once a penalty ends the spacing is back at `start_delay` after at most
  `slow_start_n_successes · ceil(log2(max_delay / start_delay))` successes
  (`recovery_bound`), however high repeated 403s pushed it; below the start it only
  creeps down by AIMD. (A threshold at twice the old delay, as TCP does, left the delay
  crawling down by `aimd_delta` for tens of minutes whenever it sat above the start.)
  Other outcomes (5xx, timeouts) only reset the streak. A 403 while the window is open
  extends it without doubling again: calls that were in flight saw the same event.
* **Degradation, restarts.** The Valkey store throttles in-process while Valkey is
  unreachable and goes back to Valkey once it answers. Nothing is wiped at start-up.

Example:
    config = ThrottleConfig(start_delay=2.0, penalty_duration=60)
    store = MemoryThrottleStore(config)  # or ValkeyThrottleStore.from_url(url, config)
    throttle = Throttle(store, config, observer=metrics)
    await throttle.acquire()  # sleeps until our slot, or raises UpstreamRateLimitedError
    ...  # the upstream call
    await throttle.report("success")  # or "rate_limited" (403) / "other"
    # `app.adapters.throttle.ThrottledUpstream` does both around every `Upstream.get`.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Literal, NoReturn, Protocol

from app.domain.errors import UpstreamRateLimitedError

logger = logging.getLogger(__name__)

Outcome = Literal["success", "rate_limited", "other"]


@dataclass(frozen=True, slots=True)
class ThrottleConfig:
    """The `THROTTLE_*` settings, in seconds unless stated."""

    enabled: bool = True
    """False: no spacing, but a 403 still opens the penalty window."""
    start_delay: float = 2.0
    min_delay: float = 0.1
    max_delay: float = 30.0
    slow_start_n_successes: int = 10
    aimd_n_successes: int = 20
    aimd_delta: float = 0.05
    penalty_delay: float = 10.0
    penalty_duration: float = 60.0
    max_wait: float = 30.0
    """A caller whose slot is further away than this is refused instead of queued."""

    def __post_init__(self) -> None:
        if not 0 <= self.min_delay <= self.max_delay:
            raise ValueError("throttle delays need 0 <= min_delay <= max_delay")
        if not (math.isfinite(self.max_wait) and self.max_wait >= 0):
            raise ValueError("throttle max_wait must be finite and >= 0")
        if not self.penalty_duration > 0:
            raise ValueError("throttle penalty_duration must be > 0")

    def clamp(self, delay: float) -> float:
        return min(max(delay, self.min_delay), self.max_delay)

    def recovery_bound(self) -> int | None:
        """Most successes after a penalty before the delay is back at `start_delay`.

        None when the start is 0 s: halving only tends towards it.
        """
        start = self.clamp(self.start_delay)
        if start <= 0:
            return None
        halvings = max(0, math.ceil(math.log2(self.max_delay / start)))
        return self.slow_start_n_successes * halvings


@dataclass(frozen=True, slots=True)
class AimdState:
    """The adaptive part of the throttle: spacing, slow-start threshold, success streak."""

    delay: float
    ssthresh: float
    streak: int = 0

    @classmethod
    def initial(cls, config: ThrottleConfig) -> AimdState:
        return cls(delay=config.clamp(config.start_delay), ssthresh=config.min_delay)


def next_state(state: AimdState, outcome: Outcome, config: ThrottleConfig) -> AimdState:
    """The state after one outcome. Pure; the Valkey store's Lua script mirrors it.

    Stores call it for a 403 only when no penalty is open (a new event) and ignore
    successes during a penalty (they were sent before it opened).
    """
    if outcome == "rate_limited":
        delay = max(2 * state.delay, config.penalty_delay)
        return AimdState(config.clamp(delay), config.clamp(config.start_delay), 0)
    if outcome == "other":
        return replace(state, streak=0)
    delay, streak = state.delay, state.streak + 1
    if delay > state.ssthresh:
        if streak >= config.slow_start_n_successes:
            delay, streak = max(delay / 2, state.ssthresh), 0
    elif streak >= config.aimd_n_successes:
        delay, streak = delay - config.aimd_delta, 0
    return AimdState(config.clamp(delay), state.ssthresh, streak)


@dataclass(frozen=True, slots=True)
class Reservation:
    """A store's answer to "may I send?": after `wait` seconds, unless refused."""

    delay: float
    wait: float = 0.0
    penalty: float = 0.0
    """> 0: a penalty window is open for that many more seconds; nothing may be sent."""
    busy: float = 0.0
    """> 0: the next slot is more than `max_wait` away; retry after that many seconds."""


class ThrottleStore(Protocol):
    """Where the schedule, the adaptive state and the penalty window live."""

    async def reserve(self, *, space: bool) -> Reservation:
        """Check the penalty and, if `space`, book the next slot: one atomic step."""
        ...

    async def penalty_remaining(self) -> float: ...

    async def record(self, outcome: Outcome) -> tuple[float, float]:
        """Apply an outcome; return `(delay, penalty remaining)` in seconds."""
        ...

    async def close(self) -> None: ...


class ThrottleObserver(Protocol):
    """Metrics hooks. Must not block; errors are logged and ignored."""

    def wait(self, seconds: float) -> None:
        """A call was let through after waiting `seconds` (0 included)."""

    def state(self, delay: float, penalty_remaining: float) -> None: ...

    def rate_limited(self) -> None:
        """Blizzard answered 403."""

    def refused(self) -> None:
        """A call was refused without being sent (penalty open, or slot too far)."""


def retry_after(seconds: float) -> int:
    """Whole seconds for `Retry-After`: rounded up, so a retry never lands in the window."""
    return max(1, math.ceil(seconds))


class Throttle:
    """`await acquire()` before each upstream call, `await report(outcome)` after it."""

    def __init__(
        self,
        store: ThrottleStore,
        config: ThrottleConfig | None = None,
        *,
        observer: ThrottleObserver | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._store = store
        self._config = config or ThrottleConfig()
        self._observer = observer
        self._sleep = sleep
        self._observer_failed = False

    async def acquire(self) -> None:
        """Return when a call may be sent; raise `UpstreamRateLimitedError` if it may not."""
        booking = await self._store.reserve(space=self._config.enabled)
        self._notify(lambda o: o.state(booking.delay, booking.penalty))
        if booking.penalty > 0 or booking.busy > 0:
            self._refuse(booking.penalty or booking.busy)
        if booking.wait > 0:
            await self._sleep(booking.wait)
            # A 403 may have opened a penalty while we slept towards our slot.
            penalty = await self._store.penalty_remaining()
            if penalty > 0:
                self._refuse(penalty)
        self._notify(lambda o: o.wait(booking.wait))

    async def report(self, outcome: Outcome) -> float:
        """Record how a call went; return the penalty now remaining (seconds)."""
        delay, penalty = await self._store.record(outcome)
        if outcome == "rate_limited":
            self._notify(lambda o: o.rate_limited())
        self._notify(lambda o: o.state(delay, penalty))
        return penalty

    async def status(self) -> tuple[float, float]:
        """`(delay, penalty remaining)` now, books nothing: for scrape-time gauges."""
        booking = await self._store.reserve(space=False)
        return booking.delay, booking.penalty

    async def close(self) -> None:
        await self._store.close()

    def _refuse(self, seconds: float) -> NoReturn:
        self._notify(lambda o: o.refused())
        raise UpstreamRateLimitedError(retry_after(seconds))

    def _notify(self, hook: Callable[[ThrottleObserver], None]) -> None:
        if self._observer is None:
            return
        try:
            hook(self._observer)
        except Exception:
            # A metrics bug must not stop upstream calls; say so once, with the traceback.
            if not self._observer_failed:
                self._observer_failed = True
                logger.exception("a throttle observer hook raised; further errors hidden")
