"""Player route bodies: every OverFast answer on the captured career pages, field for field,
plus the rules the captures do not exercise (platform defaulting, search-entry fallbacks,
stats-summary quirks).

Deliberate differences from OverFast are applied to its expected body, each with the reason,
by `tests.overfast_differences.with_our_differences`; everything else must be identical.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from app.data.reference import HERO_ROLES
from app.devtools.fixtures import fixtures_dir
from app.domain.errors import NotFoundError
from app.domain.player_views import (
    player_career_stats,
    player_full,
    player_stats,
    player_stats_summary,
    player_summary,
)
from app.parsers.career import parse_career
from tests.conftest import Pages
from tests.overfast_differences import with_our_differences

SAMPLE = "en-us/search/account-by-name/_sample.json"
_FILE = re.compile(
    r"players_(?P<player>[^_]+)(?P<route>_summary|_stats_summary|_stats_career|_stats)?"
)


def _expected_files() -> list[str]:
    """Every 200 answer of a player route (search answers `players__name=…` excluded)."""
    folder = fixtures_dir() / "expected"
    if not folder.is_dir():
        return []
    names = [p.name for p in folder.glob("players_*.json") if not p.name.startswith("players__")]
    names += [f"by_blizzard_id/{p.name}" for p in (folder / "by_blizzard_id").glob("players_*")]
    return sorted(name for name in names if _status(folder / name) == 200)


def _status(path: Path) -> int:
    status: int = json.loads(path.read_text(encoding="utf-8"))["status"]
    return status


@cache
def _career(pages: Pages, blizzard_id: str) -> dict[str, Any]:
    return parse_career(pages.blizzard(_career_file(pages, blizzard_id)))


@cache
def _manifest(pages: Pages) -> dict[str, dict[str, Any]]:
    data = json.loads((pages.root / "blizzard" / "manifest.json").read_text(encoding="utf-8"))
    return {route["path"]: route for route in data["routes"]}


def _blizzard_id(pages: Pages, player_id: str) -> str:
    """BattleTag → Blizzard ID through the captured career redirect; IDs stay as they are."""
    route = _manifest(pages).get(f"/en-us/career/{player_id}/")
    if route is not None and route["status"] == 302:
        location: str = route["location"]
        return location.rstrip("/").rsplit("/", 1)[-1]
    return player_id


def _career_file(pages: Pages, blizzard_id: str) -> str:
    file: str = _manifest(pages)[f"/en-us/career/{blizzard_id}/"]["file"]
    return file.removeprefix("blizzard/")


def _search_entry(pages: Pages, blizzard_id: str, name: str) -> dict[str, Any] | None:
    # The sample reuses JohnV1's ID for nine accounts; OverFast searched by the player's name
    # and kept public exact-name matches before comparing IDs, so do we.
    entries: list[dict[str, Any]] = json.loads(pages.blizzard(SAMPLE))
    return next(
        (e for e in entries if e["url"] == blizzard_id and e["name"] == name and e["isPublic"]),
        None,
    )


def _query(file_name: str) -> tuple[str, str, dict[str, str]]:
    """`…/players_<id><route>__k=v….json` → (player id, route suffix, query)."""
    stem, *pairs = file_name.rsplit("/", 1)[-1].removesuffix(".json").split("__")
    match = _FILE.fullmatch(stem)
    assert match, file_name
    return match["player"], match["route"] or "", dict(p.split("=", 1) for p in pairs)


def _body(pages: Pages, player_id: str, route: str, query: dict[str, str]) -> Any:
    blizzard_id = _blizzard_id(pages, player_id)
    career = _career(pages, blizzard_id)
    entry = _search_entry(pages, blizzard_id, career["summary"]["username"])
    gamemode, platform = query.get("gamemode"), query.get("platform")
    if route == "_summary":
        return player_summary(career, entry)
    if route == "":
        return player_full(career, entry, gamemode=gamemode, platform=platform)
    if route == "_stats_summary":
        return player_stats_summary(
            career, gamemode=gamemode, platform=platform, hero_roles=HERO_ROLES
        )
    assert gamemode is not None
    view = player_career_stats if route == "_stats_career" else player_stats
    return view(career, gamemode=gamemode, platform=platform, hero=query.get("hero"))


@pytest.mark.parametrize("file_name", _expected_files())
def test_matches_overfast_expected(pages: Pages, file_name: str) -> None:
    player_id, route, query = _query(file_name)
    expected = with_our_differences(pages, file_name, route, pages.expected(file_name)["body"])

    body = _body(pages, player_id, route, query)

    # Through JSON like the stored/served data: also proves the body is plain JSON.
    assert json.loads(json.dumps(body)) == expected
    # …and 6 vs 6.0 matters to clients: compare the encoded forms too (lists keep order).
    assert json.dumps(body, sort_keys=True) == json.dumps(expected, sort_keys=True)


def _not_found_files() -> list[str]:
    folder = fixtures_dir() / "expected"
    return sorted(p.name for p in folder.glob("players_Unknown-*.json")) if folder.is_dir() else []


@pytest.mark.parametrize("file_name", _not_found_files())
def test_unknown_player_is_not_found(pages: Pages, file_name: str) -> None:
    # Any other career path gets Blizzard's player-not-found page (see the manifest).
    expected = pages.expected(file_name)
    assert expected["status"] == 404

    with pytest.raises(NotFoundError) as caught:
        parse_career(pages.blizzard("en-us/career/_not-found.html"))

    assert caught.value.message == expected["body"]["error"]["error"]


# --- rules the captures do not exercise ------------------------------------------------------


def _stat(key: str, value: float) -> dict[str, Any]:
    return {"key": key, "label": key, "value": value}


def _hero(**categories: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"category": c, "label": c.title(), "stats": s} for c, s in categories.items()]


def _gamemode(heroes: dict[str, Any], comparisons: dict[str, Any] | None = None) -> Any:
    return {"heroes_comparisons": comparisons or {}, "career_stats": heroes}


def _career_of(stats: dict[str, Any], **summary: Any) -> dict[str, Any]:
    base = {
        "username": "Someone",
        "avatar": "https://page/avatar.png",
        "title": "Page Title",
        "endorsement": None,
        "last_updated_at": 1700000000,
        "competitive": {"pc": None, "console": None},
    }
    return {"summary": base | summary, "stats": stats}


ANA = _hero(game=[_stat("time_played", 600), _stat("games_played", 2), _stat("games_lost", 1)])
CONSOLE_COMPETITIVE = _career_of(
    {
        "pc": {"quickplay": _gamemode({"ana": ANA}), "competitive": None},
        "console": {"quickplay": None, "competitive": _gamemode({"ana": ANA, "mercy": ANA})},
    }
)


def test_default_platform_is_the_first_with_data_for_the_gamemode() -> None:
    assert list(player_stats(CONSOLE_COMPETITIVE, gamemode="quickplay")) == ["ana"]
    assert list(player_stats(CONSOLE_COMPETITIVE, gamemode="competitive")) == ["ana", "mercy"]
    assert player_stats(CONSOLE_COMPETITIVE, gamemode="competitive", platform="pc") == {}


def test_hero_filter_keeps_one_key_or_nothing() -> None:
    body = player_career_stats(CONSOLE_COMPETITIVE, gamemode="competitive", hero="mercy")
    assert body == {"mercy": {"game": {"time_played": 600, "games_played": 2, "games_lost": 1}}}
    assert player_career_stats(CONSOLE_COMPETITIVE, gamemode="competitive", hero="genji") == {}


def test_private_profile_has_null_stats_and_empty_stat_routes() -> None:
    career = _career_of({"pc": None, "console": None})

    assert player_full(career, None)["stats"] is None
    assert player_stats(career, gamemode="quickplay") == {}
    assert player_career_stats(career, gamemode="competitive", hero="ana") == {}
    assert player_stats_summary(career, hero_roles=HERO_ROLES) == {}


def test_full_player_filters_null_the_other_platform_and_gamemode() -> None:
    stats = player_full(CONSOLE_COMPETITIVE, None, gamemode="competitive")["stats"]

    assert stats["pc"] == {"quickplay": None, "competitive": None}
    assert stats["console"]["quickplay"] is None
    assert list(stats["console"]["competitive"]["career_stats"]) == ["ana", "mercy"]
    assert player_full(CONSOLE_COMPETITIVE, None, platform="pc")["stats"]["console"] is None


def test_comparisons_list_the_15_categories_then_new_ones() -> None:
    new = {"label": "Ultimates Used", "values": [{"hero": "ana", "value": 3}]}
    played = {"label": "Time Played", "values": [{"hero": "ana", "value": 60}]}
    career = _career_of(
        {"pc": {"quickplay": _gamemode({}, {"ultimates_used": new, "time_played": played})}}
    )

    comparisons = player_full(career, None)["stats"]["pc"]["quickplay"]["heroes_comparisons"]

    assert list(comparisons)[:2] == ["time_played", "games_won"]
    assert len(comparisons) == 16
    assert comparisons["time_played"] == played
    assert comparisons["games_won"] is None
    assert comparisons["ultimates_used"] == new  # passed through, not a validation failure


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        pytest.param(
            None,
            {"avatar": "https://page/avatar.png", "namecard": None, "title": "Page Title"}
            | {"last_updated_at": 1700000000},
            id="no-entry-page-values",
        ),
        pytest.param(
            {"avatar": "https://s/a.png", "namecard": "https://s/n.png"}
            | {"title": {"en_US": "Harbinger", "fr_FR": "Prophète"}, "lastUpdated": 1},
            {"avatar": "https://s/a.png", "namecard": "https://s/n.png", "title": "Harbinger"}
            | {"last_updated_at": 1},
            id="raw-blizzard-entry",
        ),
        pytest.param(
            {"avatar": None, "namecard": None, "title": "Harbinger", "last_updated": 2},
            {"avatar": "https://page/avatar.png", "namecard": None, "title": "Harbinger"}
            | {"last_updated_at": 2},
            id="normalised-entry",
        ),
        pytest.param(
            {"avatar": "https://s/a.png", "title": "No Title", "lastUpdated": 3},
            {"avatar": "https://s/a.png", "namecard": None, "title": "Page Title"}
            | {"last_updated_at": 3},
            id="no-title-in-search",
        ),
        pytest.param(
            {"portrait": "x", "avatar": "https://s/a.png", "title": "Old", "lastUpdated": 4},
            {"avatar": "https://page/avatar.png", "namecard": None, "title": "Page Title"}
            | {"last_updated_at": 4},
            id="legacy-entry-ignored",
        ),
    ],
)
def test_summary_search_entry_and_page_fallbacks(
    entry: Mapping[str, Any] | None, expected: dict[str, Any]
) -> None:
    summary = player_summary(_career_of({"pc": None, "console": None}), entry)

    assert {key: summary[key] for key in expected} == expected
    assert summary["competitive"] is None  # neither platform has ranks or a season


def test_stats_summary_reproduces_overfast_quirks() -> None:
    # Negative games lost → half the games played (rounded); only offensive assists count;
    # "all-heroes" and heroes missing from hero_roles are skipped.
    ana = _hero(
        game=[_stat("time_played", 1200), _stat("games_played", 5), _stat("games_lost", -3)],
        combat=[_stat("eliminations", 10), _stat("deaths", 4), _stat("all_damage_done", 900)],
        assists=[
            _stat("offensive_assists", 2),
            _stat("defensive_assists", 50),
            _stat("healing_done", 3000),
            _stat("healing_done", 1),  # a repeated row: the first counts
        ],
    )
    career = _career_of(
        {"pc": {"quickplay": _gamemode({"all-heroes": ana, "ana": ana, "newhero": ana})}}
    )

    body = player_stats_summary(career, hero_roles={"ana": "support"})

    assert list(body["roles"]) == ["support"]
    assert list(body["heroes"]) == ["ana"]
    assert (
        body["general"]
        == body["heroes"]["ana"]
        == {
            "games_played": 5,
            "games_won": 3,
            "games_lost": 2,
            "time_played": 1200,
            "winrate": 60.0,
            "kda": 3.0,
            "total": {
                "eliminations": 10,
                "assists": 2,
                "deaths": 4,
                "damage": 900,
                "healing": 3000,
            },
            "average": {
                "eliminations": 5.0,
                "assists": 1.0,
                "deaths": 2.0,
                "damage": 450.0,
                "healing": 1500.0,
            },
        }
    )


def test_stats_summary_skips_heroes_without_time_and_divides_safely() -> None:
    idle = _hero(game=[_stat("time_played", 0), _stat("games_played", 0)])
    brief = _hero(game=[_stat("time_played", 30)])
    career = _career_of({"pc": {"quickplay": _gamemode({"ana": idle, "mercy": brief})}})

    body = player_stats_summary(career, hero_roles={"ana": "support", "mercy": "support"})

    assert list(body["heroes"]) == ["mercy"]
    assert body["heroes"]["mercy"]["winrate"] == 0.0
    assert body["heroes"]["mercy"]["kda"] == 0.0
    assert body["heroes"]["mercy"]["average"]["eliminations"] == 0.0


@pytest.mark.parametrize("file_name", _expected_files())
def test_views_leave_the_shared_career_untouched(pages: Pages, file_name: str) -> None:
    # Storage hands one decoded career to every request (`PlayerRecord.parsed` is shared):
    # a view must not change it. (Bodies do share parts of it: they are only rendered.)
    player_id, route, query = _query(file_name)
    career = _career(pages, _blizzard_id(pages, player_id))
    before = json.dumps(career)

    _body(pages, player_id, route, query)

    assert json.dumps(career) == before
