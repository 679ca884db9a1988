"""The Valkey circuit breaker's logic, on an injected clock (issue 12, defect 4)."""

from __future__ import annotations

import logging

import pytest

from app.adapters.circuit_breaker import CircuitBreaker
from tests.unit.adapters.conftest import Clock


@pytest.fixture
def changes() -> list[bool]:
    return []


@pytest.fixture
def breaker(clock: Clock, changes: list[bool]) -> CircuitBreaker:
    return CircuitBreaker("cache", threshold=3, cooldown=5.0, clock=clock, on_change=changes.append)


def test_closed_lets_every_call_through_and_reports_its_state_at_creation(
    breaker: CircuitBreaker, changes: list[bool]
) -> None:
    assert all(breaker.allow() for _ in range(10))
    assert breaker.state == "closed"
    assert changes == [False]


def test_opens_after_threshold_consecutive_failures(
    breaker: CircuitBreaker, changes: list[bool], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        breaker.failed()
        breaker.failed()
        assert breaker.allow()
        breaker.failed()
    assert breaker.state == "open"
    assert breaker.is_open
    assert not breaker.allow()
    assert changes == [False, True]
    assert len([r for r in caplog.records if "circuit open" in r.getMessage()]) == 1


def test_a_success_resets_the_count(breaker: CircuitBreaker) -> None:
    for _ in range(5):
        breaker.failed()
        breaker.failed()
        breaker.succeeded()
    assert breaker.state == "closed"


def test_after_the_cooldown_one_probe_goes_others_skip(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    for _ in range(3):
        breaker.failed()
    clock.now += 4.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.allow()  # the probe
    assert breaker.state == "half_open"
    assert not breaker.allow()  # while the probe runs
    assert not breaker.allow()


def test_a_successful_probe_closes(
    breaker: CircuitBreaker, clock: Clock, changes: list[bool]
) -> None:
    for _ in range(3):
        breaker.failed()
    clock.now += 5
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.state == "closed"
    assert breaker.allow()
    assert changes == [False, True, False]
    breaker.failed()
    breaker.failed()
    assert breaker.state == "closed"  # counting starts again from zero


def test_a_failed_probe_opens_for_another_cooldown(breaker: CircuitBreaker, clock: Clock) -> None:
    for _ in range(3):
        breaker.failed()
    clock.now += 5
    assert breaker.allow()
    breaker.failed()
    assert breaker.state == "open"
    clock.now += 4.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.allow()


def test_a_probe_that_never_reports_back_is_replaced_after_a_cooldown(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    for _ in range(3):
        breaker.failed()
    clock.now += 5
    assert breaker.allow()  # this probe is cancelled and never reports
    clock.now += 4.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.allow()


def test_late_failures_while_open_do_not_extend_it(breaker: CircuitBreaker, clock: Clock) -> None:
    for _ in range(3):
        breaker.failed()
    clock.now += 4
    breaker.failed()  # a call sent before the circuit opened
    clock.now += 1
    assert breaker.allow()


def test_a_broken_observer_does_not_break_the_breaker(clock: Clock) -> None:
    def broken(skipping: bool) -> None:
        raise RuntimeError("metrics bug")

    breaker = CircuitBreaker("lock", threshold=1, cooldown=1.0, clock=clock, on_change=broken)
    breaker.failed()
    assert not breaker.allow()


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="threshold"):
        CircuitBreaker("x", threshold=0)
    with pytest.raises(ValueError, match="cooldown"):
        CircuitBreaker("x", cooldown=0)
