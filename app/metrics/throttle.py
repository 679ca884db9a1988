"""The throttle's metrics hooks (`app.services.throttle.ThrottleObserver`) over `Metrics`.

Example:
    >>> throttle = Throttle(store, config, observer=metrics.throttle_observer)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.metrics.facade import Metrics


class ThrottleHooks:
    """`ThrottleObserver` hooks of `app.services.throttle.Throttle`, recorded in `Metrics`."""

    __slots__ = ("_metrics",)

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def wait(self, seconds: float) -> None:
        self._metrics.throttle_wait(seconds)

    def state(self, delay: float, penalty_remaining: float) -> None:
        self._metrics.throttle_state(delay, penalty_remaining)

    def rate_limited(self) -> None:
        self._metrics.throttle_403()

    def refused(self) -> None:
        self._metrics.refused_by_penalty()
