"""View bodies reused only for the very career object they were computed from, within a
bound in bytes."""

from __future__ import annotations

from typing import Any

from app.services.players.view_memo import VIEW_BYTES_PER_JSON_BYTE, ViewMemo, view_size


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


def test_a_view_counts_six_times_its_json() -> None:
    assert view_size({"a": [1, 2.5, None]}) == VIEW_BYTES_PER_JSON_BYTE * len(b'{"a":[1,2.5,null]}')


def test_views_stay_within_their_bytes_least_recently_used_career_first() -> None:
    memo = ViewMemo(250, size_of=lambda body: 100)
    careers = [{"i": i} for i in range(3)]
    calls, compute = counting()
    memo.view("0", careers[0], "a", compute)
    memo.view("1", careers[1], "a", compute)
    memo.view("0", careers[0], "a", compute)  # used again: "1" is now the oldest
    memo.view("2", careers[2], "a", compute)  # 300 > 250: career "1" goes

    assert memo.bytes == 200
    assert len(calls) == 3
    memo.view("0", careers[0], "a", compute)  # kept
    assert len(calls) == 3
    memo.view("1", careers[1], "a", compute)  # dropped: computed again
    assert len(calls) == 4
    assert memo.bytes <= 250


def test_a_view_bigger_than_the_bound_is_handed_out_not_kept() -> None:
    memo = ViewMemo(50, size_of=lambda body: 100)
    _, compute = counting()
    career = {"i": 0}

    first = memo.view("k", career, "a", compute)
    second = memo.view("k", career, "a", compute)

    assert first.body == {"n": 1}
    assert second.body == {"n": 2}
    assert memo.bytes == 0


def test_no_bytes_keeps_nothing() -> None:
    memo = ViewMemo(0)
    calls, compute = counting()
    career = {"i": 0}
    memo.view("k", career, "a", compute)
    memo.view("k", career, "a", compute)
    assert len(calls) == 2
    assert memo.bytes == 0
