"""The fake Blizzard site's overlays: routes tried before the manifest, without copying
fixtures (a career page served without redirect, an inline page), over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from app.devtools.fake_routes import manifest_entries, read_overlay, without_redirects
from app.devtools.fake_upstream import FakeUpstreamServer

TEKROP_ID = "c65b8798bc61d6ffbba120%7Ccfe9dd77a4382165e2b920bdcc035949"


def test_without_redirects_serves_each_redirected_career_page_at_its_battletag(
    fixtures_path: Path,
) -> None:
    overlay = without_redirects(fixtures_path)
    redirects = [
        e for e in manifest_entries(fixtures_path) if e["status"] == 302 and "career" in e["path"]
    ]

    assert {e["path"] for e in overlay} == {e["path"] for e in redirects}
    assert all(e["status"] == 200 and "location" not in e for e in overlay)


async def test_an_overlay_replaces_routes_until_reset(upstream: FakeUpstreamServer) -> None:
    fixtures = upstream.app.root
    async with httpx.AsyncClient(base_url=upstream.url) as http:
        redirected = await http.get("/en-us/career/TeKrop-2217/")
        upstream.app.overlay(without_redirects(fixtures))
        upstream.app.overlay([{"path": "/en-us/career/*/", "status": 200, "body": "<p>é</p>"}])
        direct = await http.get("/en-us/career/TeKrop-2217/")
        by_id = await http.get(f"/en-us/career/{TEKROP_ID}/")
        inline = await http.get("/en-us/career/Anyone-1/")
        upstream.app.reset()
        after_reset = await http.get("/en-us/career/TeKrop-2217/")

    assert redirected.status_code == 302
    # The later overlay comes first: its `*` route answers every career page.
    assert direct.status_code == by_id.status_code == inline.status_code == 200
    assert inline.content == direct.content == "<p>é</p>".encode()
    assert after_reset.status_code == 302


async def test_a_server_overlay_survives_reset(fixtures_path: Path, tmp_path: Path) -> None:
    overlay_file = tmp_path / "routes.json"
    overlay_file.write_text(json.dumps({"routes": without_redirects(fixtures_path)}))
    with FakeUpstreamServer(fixtures_path, overlay=read_overlay(overlay_file)) as server:
        server.app.reset()
        async with httpx.AsyncClient(base_url=server.url) as http:
            direct = await http.get("/en-us/career/TeKrop-2217/")
            by_id = await http.get(f"/en-us/career/{TEKROP_ID}/")

    assert direct.status_code == 200
    assert direct.content == by_id.content
    assert b"TeKrop" in direct.content


async def test_blizzard_404_pages_are_routes_and_anything_else_is_not_captured(
    upstream: FakeUpstreamServer,
) -> None:
    async with httpx.AsyncClient(base_url=upstream.url) as http:
        unknown_hero = await http.get("/en-us/heroes/not-a-hero/")
        unknown_player = await http.get("/en-us/career/Nobody-1/")
        other_locale = await http.get("/fr-fr/heroes/", params={"x": "1"})

    # The manifest's `*` routes: Blizzard's own 404 pages, as it serves them.
    assert (unknown_hero.status_code, unknown_player.status_code) == (404, 404)
    assert unknown_hero.text.rstrip().endswith("</html>")
    assert unknown_player.text.rstrip().endswith("</html>")
    # No route: an upstream error naming the page, never a page of Blizzard's.
    assert other_locale.status_code == 501
    assert other_locale.text.startswith("not captured: /fr-fr/heroes/?x=1 matches no route of")
    assert upstream.app.calls["/fr-fr/heroes/?x=1"] == 1
