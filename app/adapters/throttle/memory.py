"""The in-process `ThrottleStore`: one schedule per process, on the monotonic clock.

Every operation is synchronous under the hood: nothing awaits between reading and
writing the schedule, so asyncio tasks cannot interleave inside a reservation and
concurrent callers always get distinct slots. State lives only as long as the process.
`ValkeyThrottleStore` also keeps one as its fallback and mirrors the shared state into
it (`mirror`), so a Valkey outage continues from where the shared schedule was.

Example:
    store = MemoryThrottleStore(ThrottleConfig(start_delay=0.5))
    booking = await store.reserve(space=True)  # Reservation(delay=0.5, wait=0.0)
    booking = await store.reserve(space=True)  # Reservation(delay=0.5, wait=0.5)
    delay, penalty = await store.record("rate_limited")  # (10.0, 60.0)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace

from app.services.throttle import AimdState, Outcome, Reservation, ThrottleConfig, next_state

__all__ = ["MemoryThrottleStore"]


class MemoryThrottleStore:
    """A `ThrottleStore` in this process's memory (`clock` is injectable for tests)."""

    def __init__(
        self,
        config: ThrottleConfig | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config = config or ThrottleConfig()
        self._clock = clock
        self.state = AimdState.initial(config)
        self._last_slot = -math.inf
        self._penalty_until = -math.inf

    def reserve_now(self, *, space: bool) -> Reservation:
        """`reserve`, synchronously: the atomic step itself."""
        now = self._clock()
        delay = self.state.delay
        penalty = self._penalty_until - now
        if penalty > 0:
            return Reservation(delay, penalty=penalty)
        if not space:
            return Reservation(delay)
        slot = max(now, self._last_slot + delay)
        if slot - now > self._config.max_wait:
            # Not booked: a refused caller must not push everybody else's slot back.
            return Reservation(delay, busy=slot - now - self._config.max_wait)
        self._last_slot = slot
        return Reservation(delay, wait=slot - now)

    def penalty_now(self) -> float:
        return max(0.0, self._penalty_until - self._clock())

    def record_now(self, outcome: Outcome) -> tuple[float, float]:
        """`record`, synchronously."""
        penalty = self.penalty_now()
        if outcome == "rate_limited":
            # One event per window: 403s of calls already in flight only extend it.
            self.state = (
                next_state(self.state, outcome, self._config)
                if penalty <= 0
                else replace(self.state, streak=0)
            )
            penalty = self._config.penalty_duration
            self._penalty_until = self._clock() + penalty
        elif outcome == "other" or penalty <= 0:
            # Successes during a penalty were sent before it opened: they prove nothing.
            self.state = next_state(self.state, outcome, self._config)
        return self.state.delay, penalty

    def mirror(self, state: AimdState, *, penalty: float = 0.0, wait: float | None = None) -> None:
        """Adopt what a shared store answered: its state, a penalty, a slot `wait` away."""
        now = self._clock()
        self.state = state
        if penalty > 0:
            self._penalty_until = max(self._penalty_until, now + penalty)
        if wait is not None:
            self._last_slot = max(self._last_slot, now + wait)

    async def reserve(self, *, space: bool) -> Reservation:
        return self.reserve_now(space=space)

    async def penalty_remaining(self) -> float:
        return self.penalty_now()

    async def record(self, outcome: Outcome) -> tuple[float, float]:
        return self.record_now(outcome)

    async def close(self) -> None:
        return None
