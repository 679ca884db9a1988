"""Slow start and AIMD arithmetic of `next_state` (pure), and the config's sanity checks."""

from __future__ import annotations

import pytest

from app.services.throttle import AimdState, Outcome, ThrottleConfig, next_state, retry_after

CONFIG = ThrottleConfig()  # the defaults: 2.0 start, [0.1, 30], 10/20 successes, 0.05, 10


def run(state: AimdState, outcome: Outcome, times: int) -> AimdState:
    for _ in range(times):
        state = next_state(state, outcome, CONFIG)
    return state


def test_initial_state_is_the_start_delay_in_slow_start() -> None:
    assert AimdState.initial(CONFIG) == AimdState(delay=2.0, ssthresh=0.1, streak=0)
    assert AimdState.initial(ThrottleConfig(start_delay=99)).delay == 30.0  # clamped


def test_slow_start_halves_the_delay_every_n_successes() -> None:
    state = AimdState.initial(CONFIG)

    assert run(state, "success", 9) == AimdState(2.0, 0.1, 9)
    assert run(state, "success", 10) == AimdState(1.0, 0.1, 0)
    assert run(state, "success", 40).delay == 0.125
    assert run(state, "success", 50).delay == 0.1  # 0.0625 clamped to min_delay


def test_slow_start_stops_at_ssthresh_then_aimd_subtracts_delta() -> None:
    state = AimdState(delay=10.0, ssthresh=4.0)

    assert run(state, "success", 10).delay == 5.0
    assert run(state, "success", 20).delay == 4.0  # not 2.5: halving stops at ssthresh
    at_threshold = run(state, "success", 20)
    assert run(at_threshold, "success", 19) == AimdState(4.0, 4.0, 19)
    assert run(at_threshold, "success", 20) == AimdState(3.95, 4.0, 0)
    assert run(at_threshold, "success", 40).delay == pytest.approx(3.9)


def test_aimd_never_goes_below_min_delay() -> None:
    assert run(AimdState(0.12, 0.5), "success", 20).delay == 0.1


def test_rate_limited_doubles_with_the_penalty_delay_as_floor() -> None:
    # ssthresh is the start delay whatever the delay was, so slow start brings the delay
    # back to the start within a bounded number of successes, then AIMD probes carefully.
    assert next_state(AimdState(2.0, 0.1, 7), "rate_limited", CONFIG) == AimdState(10.0, 2.0)
    assert next_state(AimdState(12.0, 0.1), "rate_limited", CONFIG) == AimdState(24.0, 2.0)
    assert next_state(AimdState(20.0, 0.1), "rate_limited", CONFIG) == AimdState(30.0, 2.0)


def test_after_repeated_403s_the_start_delay_is_back_within_the_recovery_bound() -> None:
    state = AimdState.initial(CONFIG)
    for _ in range(5):  # 10, 20, 30, 30, 30 s: as high as it goes
        state = next_state(state, "rate_limited", CONFIG)
    assert state.delay == 30.0
    assert CONFIG.recovery_bound() == 40  # 10 successes x 4 halvings (30/2^4 < 2)

    assert run(state, "success", 39).delay > 2.0
    assert run(state, "success", 40).delay == 2.0
    assert ThrottleConfig(start_delay=0, min_delay=0).recovery_bound() is None


def test_other_outcomes_only_reset_the_streak() -> None:
    assert next_state(AimdState(2.0, 0.1, 9), "other", CONFIG) == AimdState(2.0, 0.1, 0)


@pytest.mark.parametrize(
    ("seconds", "expected"), [(0.0, 1), (0.2, 1), (1.0, 1), (59.01, 60), (60.0, 60)]
)
def test_retry_after_rounds_up_to_at_least_one_second(seconds: float, expected: int) -> None:
    assert retry_after(seconds) == expected


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_delay": 5.0, "max_delay": 1.0},
        {"min_delay": -1.0},
        {"max_wait": float("inf")},
        {"penalty_duration": 0},
    ],
)
def test_config_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="throttle"):
        ThrottleConfig(**kwargs)  # type: ignore[arg-type]
