"""View bodies reused only for the very career object they were computed from."""

from __future__ import annotations

from typing import Any

from app.services.players.view_memo import ViewMemo


def counting() -> tuple[list[int], Any]:
    calls: list[int] = []

    def compute() -> object:
        calls.append(1)
        return {"n": len(calls)}

    return calls, compute


def test_a_body_is_computed_once_per_career_object_and_view() -> None:
    memo, career = ViewMemo(), {"summary": 1}
    calls, compute = counting()
    first = memo.view("k", career, ("stats", "pc"), compute)
    assert memo.view("k", career, ("stats", "pc"), compute) is first  # body and renderings
    memo.view("k", career, ("stats", "console"), compute)
    assert len(calls) == 2


def test_another_career_object_for_the_key_is_computed_again() -> None:
    # Storage gives a new object when the stored row changed, even with equal content.
    memo = ViewMemo()
    calls, compute = counting()
    memo.view("k", {"v": 1}, "view", compute)
    assert memo.view("k", {"v": 1}, "view", compute).body == {"n": 2}
    assert len(calls) == 2


def test_at_most_max_careers_are_remembered() -> None:
    memo = ViewMemo(max_careers=2)
    careers = [{"i": i} for i in range(3)]
    calls, compute = counting()
    for i, career in enumerate(careers):
        memo.view(str(i), career, "view", compute)
    memo.view("2", careers[2], "view", compute)  # kept
    memo.view("0", careers[0], "view", compute)  # forgotten: computed again
    assert len(calls) == 4
