"""Fixtures of the cache adapter tests: the real Valkey server and a manual clock."""

from __future__ import annotations

import pytest

__all__ = ["ManualClock"]


class ManualClock:
    """A monotonic clock that only moves when told to, for `MemoryCache(clock=...)`."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
