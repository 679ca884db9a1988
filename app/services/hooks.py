"""Observation hooks services call (metrics plug in here; every hook is optional)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from app.domain.errors import ParseProblem
from app.domain.player_career import CareerReading

StorageResult = Literal["fresh_hit", "stale_hit", "miss"]


def _ignore_lookup(result: StorageResult) -> None:
    return None


def _ignore_wait() -> None:
    return None


def _ignore_problem(problem: ParseProblem) -> None:
    return None


def _ignore_enqueued(kind: str) -> None:
    return None


def _ignore_reading(reading: CareerReading) -> None:
    return None


@dataclass(frozen=True, slots=True)
class ServiceHooks:
    """`storage_lookup(result)` after each storage read of a page or profile;
    `flight_wait()` when a request joins an upstream fetch already under way;
    `parse_problem(problem)` for each part of a page a parser had to drop (once per parse);
    `job_enqueued(kind)` for each refresh job really queued (duplicates are not);
    `career_parsed(reading)` for each career page parsed, with how it was read."""

    storage_lookup: Callable[[StorageResult], None] = _ignore_lookup
    flight_wait: Callable[[], None] = _ignore_wait
    parse_problem: Callable[[ParseProblem], None] = _ignore_problem
    job_enqueued: Callable[[str], None] = _ignore_enqueued
    career_parsed: Callable[[CareerReading], None] = _ignore_reading
