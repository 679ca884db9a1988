"""Fixtures of the throttle tests: a manual clock and sleep, a scripted fake upstream."""

from __future__ import annotations

import pytest

from tests.integration.throttle.support import FakeUpstream, ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def upstream() -> FakeUpstream:
    return FakeUpstream()
