"""Where `owdata capture` writes each answer, and what its manifest says."""

from __future__ import annotations

import json
from pathlib import Path

from app.devtools.capture import CapturePlan
from app.devtools.capture_recorder import Hop, file_for, write_fixtures
from app.devtools.fake_upstream import load_routes


def hop(path: str, query: str = "", status: int = 200, body: bytes = b"<html>") -> Hop:
    return Hop(path, query, status, "text/html; charset=utf-8", None, body)


def test_a_path_becomes_a_folder_with_safe_names_only() -> None:
    assert file_for(hop("/en-us/heroes/ana/")) == "blizzard/en-us/heroes/ana/index.html"
    assert file_for(hop("/en-us/career/a%7Cb/")) == "blizzard/en-us/career/a_7Cb/index.html"
    assert file_for(hop("/en-us/../x/")) == "blizzard/en-us/_/x/index.html"
    with_query = file_for(hop("/en-us/rates/data/", "rq=1"))
    assert with_query.startswith("blizzard/en-us/rates/data/index-")
    assert with_query != file_for(hop("/en-us/rates/data/", "rq=2"))


def test_the_last_answer_for_a_page_wins_and_the_fake_upstream_reads_the_manifest(
    tmp_path: Path,
) -> None:
    hops = [
        hop("/en-us/", status=500, body=b"oops"),
        hop("/en-us/"),
        Hop("/en-us/career/A-1/", "", 302, "text/html", "/en-us/career/a%7Cb/", b""),
    ]

    assert write_fixtures(tmp_path, "https://example.org", hops) == 2

    manifest = json.loads((tmp_path / "blizzard" / "manifest.json").read_text())
    assert manifest["host"] == "https://example.org"
    home, redirect = load_routes(tmp_path)
    assert (home.status, home.file) == (200, tmp_path / "blizzard/en-us/index.html")
    assert home.file is not None
    assert home.file.read_bytes() == b"<html>"
    assert (redirect.status, redirect.file, redirect.location) == (
        302,
        None,
        "/en-us/career/a%7Cb/",
    )


def test_a_plan_asks_each_page_once_and_the_player_search_before_the_career() -> None:
    plan = CapturePlan(players=["TeKrop-2217", "TeKrop-1"], names=["TeKrop", "KIRIKO"])

    assert [page.path for page in plan.first_pages()] == [
        "/en-us/",
        "/en-us/heroes/",
        "/en-us/search/account-by-name/TeKrop/",
        "/en-us/career/TeKrop-2217/",
        "/en-us/career/TeKrop-1/",
        "/en-us/search/account-by-name/KIRIKO/",
    ]
