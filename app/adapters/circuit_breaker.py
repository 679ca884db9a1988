"""A circuit breaker for the Valkey adapters: a frozen Valkey costs what no Valkey costs.

One breaker per process sits in front of Valkey, shared by the cache, the throttle store
and the flight lock (they talk to the same server). A Valkey that is stopped (SIGSTOP, a
stuck host) accepts connections but never answers, so every command waits for its socket
timeout (plus one retry). After `threshold`
consecutive failures the breaker **opens**: callers skip Valkey at once (the cache
misses, the throttle runs in-process, the lock is not taken) for `cooldown` seconds.
Then it is **half-open**: one call goes through as a probe; its success closes the
breaker, its failure opens it for another `cooldown`. Other callers keep skipping while
the probe runs, so only the probe pays the timeout.

Usage (the adapter decides what "skip" means):
    >>> breaker = CircuitBreaker("cache", threshold=3, cooldown=5.0)
    >>> if not breaker.allow():
    ...     return None  # doctest: +SKIP
    >>> try:
    ...     value = await client.get(key)  # doctest: +SKIP
    ... except FAILURES:
    ...     breaker.failed()
    ... else:
    ...     breaker.succeeded()
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Literal

__all__ = ["CircuitBreaker", "CircuitObserver", "CircuitState"]

logger = logging.getLogger(__name__)

CircuitState = Literal["closed", "open", "half_open"]

CircuitObserver = Callable[[bool], None]
"""Called with whether Valkey is skipped, at creation and on every change of it."""


def _ignore(skipping: bool) -> None:
    return None


class CircuitBreaker:
    """Consecutive-failure breaker with a cool-down and a single half-open probe.

    Not thread-safe; meant for one event loop. `clock` is monotonic seconds.
    """

    def __init__(
        self,
        name: str,
        *,
        threshold: int = 3,
        cooldown: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: CircuitObserver | None = None,
    ) -> None:
        if threshold < 1 or not cooldown > 0:
            raise ValueError("threshold must be >= 1 and cooldown > 0")
        self.name = name
        self._threshold = threshold
        self._cooldown = cooldown
        self._clock = clock
        self._on_change = on_change or _ignore
        self._state: CircuitState = "closed"
        self._failures = 0
        self._until = 0.0
        """Open: when the next probe may go. Half-open: when a lost probe is given up."""
        self._notify()

    @property
    def state(self) -> CircuitState:
        return self._state

    @property
    def is_open(self) -> bool:
        """True while callers skip Valkey (open or half-open)."""
        return self._state != "closed"

    def allow(self) -> bool:
        """Whether to call Valkey now; False means skip it (and do not report back)."""
        if self._state == "closed":
            return True
        now = self._clock()
        if now < self._until:
            return False
        # Open and cooled down, or a probe never reported back (cancelled): probe now.
        self._state, self._until = "half_open", now + self._cooldown
        return True

    def succeeded(self) -> None:
        self._failures = 0
        if self._state != "closed":
            self._state = "closed"
            logger.info("Valkey %s answers again: circuit closed", self.name)
            self._notify()

    def failed(self) -> None:
        if self._state == "open":
            return  # a call sent before the circuit opened: nothing new
        self._failures += 1
        if self._state == "half_open" or self._failures >= self._threshold:
            was_closed = self._state == "closed"
            self._state, self._until = "open", self._clock() + self._cooldown
            if was_closed:  # info: the adapter has already warned about the failures
                logger.info(
                    "Valkey %s failed %d times in a row: circuit open, skipping Valkey and "
                    "probing it every %.3g s",
                    self.name,
                    self._failures,
                    self._cooldown,
                )
                self._notify()

    def _notify(self) -> None:
        try:
            self._on_change(self.is_open)
        except Exception:  # a metrics bug must not break the adapter
            logger.exception("circuit breaker on_change hook failed")
