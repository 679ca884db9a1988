"""Static routes answer what OverFast API v4 answers on the captured pages."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app.devtools.fixtures import fixtures_dir
from tests.conftest import Pages
from tests.expected_requests import ExpectedRequest, expected_requests

EXPECTED = fixtures_dir() / "expected"


def _static_requests() -> list[ExpectedRequest]:
    if not EXPECTED.is_dir():
        return []
    requests = [
        *expected_requests(EXPECTED, "heroes"),
        *expected_requests(EXPECTED, "roles"),
        *expected_requests(EXPECTED, "maps"),
    ]
    return [r for r in requests if not r.path.startswith("/heroes/stats")]


@pytest.mark.parametrize("request_", _static_requests(), ids=lambda r: r.id)
async def test_static_route_matches_overfast(
    client: httpx.AsyncClient, pages: Pages, request_: ExpectedRequest
) -> None:
    expected = pages.expected(request_.file.name)

    response = await client.get(request_.path, params=dict(request_.params))

    assert response.status_code == expected["status"]
    assert response.json() == expected["body"]


async def test_gamemodes_match_overfast_except_our_descriptions(
    client: httpx.AsyncClient, pages: Pages
) -> None:
    # Deliberate difference (README): the descriptions are written in our own words.
    expected = pages.expected("gamemodes.json")["body"]

    response = await client.get("/gamemodes")

    assert response.status_code == 200
    ours = response.json()
    assert [m["key"] for m in ours] == [m["key"] for m in expected]
    for mine, theirs in zip(ours, expected, strict=True):
        assert {**mine, "description": None} == {**theirs, "description": None}
        assert mine["description"]
        assert mine["description"] != theirs["description"]


async def test_unreleased_hero_is_a_404_like_overfast(
    client: httpx.AsyncClient, pages: Pages
) -> None:
    # `anran` is in Blizzard's heroes list but its page is Blizzard's 404.
    expected = pages.expected("special/heroes_ana__upstream404.json")

    response = await client.get("/heroes/anran")

    assert response.status_code == expected["status"] == 404
    assert response.json() == expected["body"]


async def test_invalid_role_is_a_422_with_overfast_details(
    client: httpx.AsyncClient, pages: Pages
) -> None:
    # Deliberate difference (README): every error body also has an `error` summary.
    expected = pages.expected("special/heroes__role=invalid.json")

    response = await client.get("/heroes", params={"role": "invalid"})

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == expected["body"]["detail"]
    assert "role" in body["error"]


def test_every_static_expected_file_is_exercised(fixtures_path: Path) -> None:
    # Guards against the parametrized list above silently shrinking to nothing.
    names = {r.file.name for r in _static_requests()}
    assert {"heroes.json", "roles.json", "maps.json", "heroes_ana.json"} <= names
    assert len(names) > 60
