"""How the job runner treats jobs: retry schedule, attempts, timeouts, leases, concurrency.

The lead maps settings onto it (see `JobRunner`); tests build small ones.

Example:
    >>> policy = JobPolicy(max_attempts=3)
    >>> [policy.retry_delay(n) for n in (1, 2, 3)]
    [30.0, 60.0, 120.0]
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from app.ports import Job

Handler = Callable[[Job], Awaitable[None]]
"""Runs one job; must be idempotent (a job whose worker died mid-run runs again)."""

Outcome = Literal["done", "retry", "dead"]

FinishedHook = Callable[[str, Outcome, float], None]
"""Called after each run with (kind, outcome, duration in seconds), e.g. for metrics."""


@dataclass(frozen=True, slots=True)
class JobPolicy:
    max_attempts: int = 5
    """Runs before a job is dead (a run cut short by a dying worker counts too)."""
    retry_base: float = 30.0
    retry_cap: float = 3600.0
    timeout: float = 300.0
    """Longest run of one handler; bounds runtime (OverFast's `worker_job_timeout` did not)."""
    lease_seconds: float = 60.0
    """How soon a dead worker's job is reclaimed; renewed while the handler runs."""
    concurrency: int = 4
    poll_interval: float = 1.0
    """Sleep when no job is due (and the latency of noticing `stop`)."""
    shutdown_grace: float = 10.0
    """After `stop`, running jobs get this long before being cancelled and re-queued."""

    def retry_delay(self, attempts: int) -> float:
        """Seconds before the next run after `attempts` failed runs: base × 2^(attempts-1)."""
        exponent = min(max(attempts - 1, 0), 60)  # past 60 the cap wins anyway; no overflow
        return min(self.retry_cap, self.retry_base * 2.0**exponent)
