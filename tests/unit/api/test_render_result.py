"""A shared view is rendered once; anything else is rendered for each request."""

from __future__ import annotations

from collections.abc import Hashable
from typing import NotRequired, TypedDict

from pydantic import TypeAdapter

from app.api.responses import render, render_result
from app.services.results import Result


class Body(TypedDict):
    name: str
    score: NotRequired[float | None]


ADAPTER = TypeAdapter(Body)
OTHER = TypeAdapter(dict[str, object])


def shared(data: object) -> Result:
    renderings: dict[Hashable, object] = {}
    return Result(data, 0.0, renderings=renderings)


def test_a_shared_view_is_rendered_once_for_the_same_model_and_options() -> None:
    view = shared({"name": "ana"})

    first = render_result(ADAPTER, view)
    again = render_result(ADAPTER, Result(view.data, 1.0, True, view.renderings))

    assert first == render(ADAPTER, {"name": "ana"}) == b'{"name":"ana"}'
    assert again is first  # kept, not validated and written again


def test_another_model_or_option_renders_the_view_again() -> None:
    view = shared({"name": "ana"})

    plain = render_result(ADAPTER, view)
    unset = render_result(ADAPTER, view, exclude_unset=True)
    other = render_result(OTHER, view)

    assert plain == b'{"name":"ana"}'
    assert unset == b'{"name":"ana"}'
    assert unset is not plain
    assert other is not plain
    assert render_result(ADAPTER, view, exclude_unset=True) is unset
    assert render_result(OTHER, view) is other


def test_data_that_is_not_a_shared_view_is_rendered_each_time() -> None:
    result = Result({"name": "ana"}, 0.0)

    first = render_result(ADAPTER, result)
    second = render_result(ADAPTER, result)

    assert first == second == b'{"name":"ana"}'
    assert second is not first
