"""A settable clock for the adapters' unit tests (circuit breaker, near copies)."""

from __future__ import annotations

import pytest


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()
