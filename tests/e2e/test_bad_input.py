"""Bad input gets a clear JSON error with the right status, and nothing is stored."""

from __future__ import annotations

import httpx
import pytest

from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from tests.e2e.conftest import running

BAD_REQUESTS = [
    ("/heroes", {"locale": "xx-xx"}, 422, "locale"),
    ("/heroes", {"role": "healer"}, 422, "role"),
    ("/heroes", {"gamemode": "arcade"}, 422, "gamemode"),
    ("/heroes/ANA", {}, 422, "hero_key"),
    ("/heroes/" + "a" * 200, {}, 422, "hero_key"),
    ("/heroes/ana", {"locale": "en-us" * 50}, 422, "locale"),
    ("/roles", {"locale": ""}, 422, "locale"),
    ("/maps", {"gamemode": "battle-royale"}, 422, "gamemode"),
]


@pytest.mark.parametrize(("path", "params", "status", "names"), BAD_REQUESTS)
async def test_bad_input_is_a_json_error_without_upstream_calls(
    client: httpx.AsyncClient,
    upstream: FakeUpstreamServer,
    path: str,
    params: dict[str, str],
    status: int,
    names: str,
) -> None:
    first = await client.get(path, params=params)
    second = await client.get(path, params=params)

    assert first.status_code == second.status_code == status
    assert first.headers["content-type"] == "application/json"
    assert names in first.json()["error"]
    assert second.headers.get("x-cache-status") is None  # nothing was cached
    assert first.headers["cache-control"] == "no-store"
    assert sum(upstream.app.calls.values()) == 0


async def test_absurd_query_string_is_refused(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    response = await client.get("/heroes?" + "x=1&" * 2000)

    assert response.status_code == 414
    assert "query string" in response.json()["error"]
    assert sum(upstream.app.calls.values()) == 0


async def test_unknown_route_is_a_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/nothing-here")

    assert response.status_code == 404
    assert response.json() == {"error": "Not Found"}


@pytest.mark.parametrize("path", ["/heroes/?role=tank", "/players/TeKrop-2217/summary/", "/docs/"])
async def test_redirects_are_relative_whatever_the_host_header(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path, headers={"Host": "evil.example"})

    assert response.status_code == 307
    location = response.headers["location"]
    assert location == path.replace("/?", "?").rstrip("/")
    assert "evil.example" not in location


async def test_a_path_no_route_has_with_or_without_slash_is_still_a_404(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/nothing-here/", headers={"Host": "evil.example"})

    assert response.status_code == 404
    assert response.json() == {"error": "Not Found"}


async def test_the_search_limit_cap_is_the_setting_in_the_schema_and_in_the_answer(
    settings: Settings,
) -> None:
    capped = settings.model_copy(update={"search_max_limit": 50})
    async with running(capped) as http:
        schema = (await http.get("/openapi.json")).json()
        refused = await http.get("/players", params={"name": "Dekk", "limit": 51})

    parameters = schema["paths"]["/players"]["get"]["parameters"]
    limit = next(p for p in parameters if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 50
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "limit"]
    assert refused.json()["detail"][0]["ctx"] == {"le": 50}


@pytest.mark.parametrize(
    "path", ["/players/a%01b/summary", "/players/-1234", "/players?name=c65b8798%7Ccfe9dd77"]
)
async def test_every_invalid_player_id_or_name_has_the_documented_detail(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)

    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith("Invalid")
    assert body["detail"][0]["loc"][-1] in ("player_id", "name")
