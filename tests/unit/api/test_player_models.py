"""Response models of the player and hero-stats routes.

1. Transparency: every 200 answer of the captured fixtures, built by the pure view
   functions, goes through its model with `render` and comes out byte for byte as the view
   wrote it: nothing dropped, added, reordered, or retyped (6 stays `6`, 6.0 stays `6.0`).
2. Robustness (contract §10.2 item 9): what Blizzard may add tomorrow (a hero, a category,
   more items in a list, a tier outside 1–5) validates instead of becoming a 500.
3. Documentation: every schema is generated, names match OverFast's, no hero-key enum.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import TypeAdapter, ValidationError

from app.api.models.hero_stats import HERO_STATS, HeroStatsSummary
from app.api.models.players import (
    CAREER_STATS,
    PLAYER,
    PLAYER_CAREER_STATS,
    PLAYER_SEARCH,
    PLAYER_STATS_SUMMARY,
    PLAYER_SUMMARY,
    CareerStats,
    HeroesComparisons,
    Player,
    PlayerCareerStats,
    PlayerSearchResult,
    PlayerStatsSummary,
    PlayerSummary,
)
from app.api.responses import dump_json, render
from app.devtools.fixtures import fixtures_dir
from app.domain.player_career import COMPARISON_CATEGORIES
from app.parsers.search import parse_search
from tests.conftest import Pages
from tests.unit.domain.test_player_views import _body as player_body
from tests.unit.domain.test_player_views import _expected_files as player_files
from tests.unit.domain.test_player_views import _query as player_query
from tests.unit.parsers.test_rates import CAPTURE as RATES_CAPTURE
from tests.unit.parsers.test_rates import _answer as rates_answer
from tests.unit.parsers.test_rates import _expected_files as rates_files
from tests.unit.parsers.test_rates import _query as rates_query
from tests.unit.parsers.test_search import SAMPLE as SEARCH_SAMPLE
from tests.unit.parsers.test_search import _expected_files as search_files
from tests.unit.parsers.test_search import _query as search_query
from tests.unit.parsers.test_search import _search as search_body

# Route suffix of the expected file name → (adapter, exclude_unset), as the routers use them.
PLAYER_ROUTES: dict[str, tuple[TypeAdapter[Any], bool]] = {
    "": (PLAYER, False),
    "_summary": (PLAYER_SUMMARY, False),
    "_stats_summary": (PLAYER_STATS_SUMMARY, True),
    "_stats_career": (PLAYER_CAREER_STATS, True),
    "_stats": (CAREER_STATS, True),
}


def assert_renders_unchanged(
    adapter: TypeAdapter[Any], body: Any, *, exclude_unset: bool = False
) -> None:
    """The model neither drops, adds, reorders nor retypes anything in `body`."""
    original = copy.deepcopy(body)
    rendered = render(adapter, body, exclude_unset=exclude_unset)
    assert json.loads(rendered) == body
    # Same bytes: same key order, and 6 vs 6.0 (equal in Python) kept apart.
    assert rendered == dump_json(body)
    assert body == original  # validation did not touch the view's objects


# --- 1. every captured answer goes through unchanged ------------------------------------------


@pytest.mark.parametrize("file_name", player_files())
def test_player_bodies_render_unchanged(pages: Pages, file_name: str) -> None:
    player_id, route, query = player_query(file_name)
    adapter, exclude_unset = PLAYER_ROUTES[route]

    body = player_body(pages, player_id, route, query)

    assert_renders_unchanged(adapter, body, exclude_unset=exclude_unset)


@pytest.mark.parametrize("file_name", search_files())
def test_search_bodies_render_unchanged(pages: Pages, file_name: str) -> None:
    assert pages.expected(file_name)["status"] == 200

    body = search_body(parse_search(pages.blizzard(SEARCH_SAMPLE)), search_query(file_name))

    assert_renders_unchanged(PLAYER_SEARCH, body)


def _hero_stats_200_files() -> list[str]:
    return [name for name in rates_files() if "=" in name and _status(name) == 200]


def _status(file_name: str) -> int:
    path = fixtures_dir() / "expected" / file_name
    status: int = json.loads(path.read_text(encoding="utf-8"))["status"]
    return status


@pytest.mark.parametrize("file_name", _hero_stats_200_files())
def test_hero_stats_bodies_render_unchanged(pages: Pages, file_name: str) -> None:
    status, body = rates_answer(pages.blizzard(RATES_CAPTURE), rates_query(file_name))

    assert status == 200
    assert body
    assert_renders_unchanged(HERO_STATS, body)


# --- numbers keep their JSON type ---------------------------------------------------------


@pytest.mark.parametrize(("value", "encoded"), [(6, b"6"), (6.0, b"6.0"), (0, b"0"), (0.5, b"0.5")])
def test_stat_values_keep_int_or_float(value: float, encoded: bytes) -> None:
    comparison = {"label": "Games Won", "values": [{"hero": "ana", "value": value}]}
    stat = {"key": "games_won", "label": "Games Won", "value": value}
    cases: list[tuple[TypeAdapter[Any], Any]] = [
        (PLAYER_CAREER_STATS, {"ana": {"game": {"games_won": value}}}),
        (CAREER_STATS, {"ana": [{"category": "game", "label": "Game", "stats": [stat]}]}),
        (TypeAdapter(HeroesComparisons), {"games_won": comparison}),
    ]
    for adapter, body in cases:
        rendered = render(adapter, body, exclude_unset=True)
        assert b":" + encoded + b"}" in rendered  # the value closes its object
        assert rendered == dump_json(body)


@pytest.mark.parametrize("value", ["6", True, None, "1:02:03"])
def test_stat_values_are_not_coerced(value: object) -> None:
    # A string or boolean here is a parser bug: refuse it rather than retype it.
    with pytest.raises(ValidationError):
        PLAYER_CAREER_STATS.validate_python({"ana": {"game": {"games_won": value}}})


# --- 2. what Blizzard may add tomorrow ----------------------------------------------------

ICON = "https://static.playoverwatch.com/img/icon.svg#icon"


def _rank(division: str, tier: int) -> dict[str, Any]:
    return {"division": division, "tier": tier} | dict.fromkeys(
        ("role_icon", "rank_icon", "tier_icon"), ICON
    )


def _summary() -> dict[str, Any]:
    ranks = {
        "season": 0,
        "tank": _rank("champion", 0),  # a division and a tier unknown today
        "damage": _rank("bronze", 6),
        "support": None,
        "open": _rank("ultimate", 1),
    }
    return {
        "username": "Someone",
        "avatar": None,
        "namecard": None,
        "title": None,
        "endorsement": {"level": 6, "frame": ICON},
        "competitive": {"pc": ranks, "console": None},
        "last_updated_at": None,
    }


def _stat(key: str, value: float) -> dict[str, Any]:
    return {"key": key, "label": key.replace("_", " ").title(), "value": value}


def _career_stats() -> dict[str, Any]:
    # An unknown hero, an unknown category, and three items where two are usual.
    category = {
        "category": "new_category",
        "label": "New Category",
        "stats": [_stat("perk_a", 1), _stat("perk_b", 2.5), _stat("perk_c", 0)],
    }
    best = {"category": "best", "label": "Best", "stats": [_stat("x_most_in_game", 3)]}
    return {"all-heroes": [best], "brand-new-hero": [category, best]}


def _comparisons() -> dict[str, Any]:
    values = [{"hero": "brand-new-hero", "value": 60}, {"hero": "ana", "value": 1.5}]
    found = {"label": "Something New", "values": [*values, {"hero": "zz", "value": 0}]}
    comparisons: dict[str, Any] = dict.fromkeys(COMPARISON_CATEGORIES)
    comparisons["time_played"] = {"label": "Time Played", "values": values}
    comparisons["ultimates_used_avg_per_10_min"] = found  # a 16th category, after the 15
    return comparisons


def _player() -> dict[str, Any]:
    gamemode = {"heroes_comparisons": _comparisons(), "career_stats": _career_stats()}
    platform = {"quickplay": gamemode, "competitive": None}
    return {"summary": _summary(), "stats": {"pc": platform, "console": None}}


def test_player_tolerates_new_heroes_categories_and_ranks() -> None:
    assert_renders_unchanged(PLAYER, _player())
    assert_renders_unchanged(PLAYER_SUMMARY, _summary())


def test_missing_comparison_categories_are_null_not_an_error() -> None:
    body = _player()
    comparisons = body["stats"]["pc"]["quickplay"]["heroes_comparisons"]
    comparisons.pop("games_won")

    rendered = json.loads(render(PLAYER, body))

    served = rendered["stats"]["pc"]["quickplay"]["heroes_comparisons"]
    assert served["games_won"] is None
    assert list(served) == [*COMPARISON_CATEGORIES, "ultimates_used_avg_per_10_min"]


def test_extra_comparison_categories_are_validated() -> None:
    body = _player()
    body["stats"]["pc"]["quickplay"]["heroes_comparisons"]["oops"] = {"label": "No values"}

    with pytest.raises(ValidationError):
        PLAYER.validate_python(body)


def test_a_hero_without_statistics_is_left_out_and_the_schema_says_so() -> None:
    # README difference 9: no `null` hero in `career_stats`, whatever OverFast's misses did.
    body = _player()
    body["stats"]["pc"]["quickplay"]["career_stats"]["genji"] = None
    schema = Player.model_json_schema(mode="serialization")
    field = schema["$defs"]["PlayerGamemodeStats"]["properties"]["career_stats"]

    with pytest.raises(ValidationError):
        PLAYER.validate_python(body)
    assert schema["$defs"]["CareerStats"]["additionalProperties"] == {
        "type": "array",
        "items": {"$ref": "#/$defs/HeroCareerStats"},
    }
    assert "each hero the player has statistics for" in field["description"]
    assert "left out, never listed as null" in field["description"]


def test_the_career_stats_schema_names_the_rule_for_repeated_rows() -> None:
    # README difference 10: the consistent row, not simply the first (nor OverFast's last).
    description = " ".join(PlayerCareerStats.model_json_schema()["description"].split())

    assert "the row that agrees with the rest of the page is kept" in description
    assert "the first row is kept" not in description


def test_career_routes_tolerate_new_heroes_and_categories() -> None:
    assert_renders_unchanged(CAREER_STATS, _career_stats(), exclude_unset=True)
    career = {"brand-new-hero": {"new_category": {"a": 1, "b": 2.5, "c": 0}}, "ana": {}}
    assert_renders_unchanged(PLAYER_CAREER_STATS, career, exclude_unset=True)
    assert_renders_unchanged(PLAYER_CAREER_STATS, {}, exclude_unset=True)
    assert_renders_unchanged(CAREER_STATS, {}, exclude_unset=True)


def _stats_summary(played: int) -> dict[str, Any]:
    five = ("eliminations", "assists", "deaths", "damage", "healing")
    return {
        "games_played": played,
        "games_won": played,
        "games_lost": 0,
        "time_played": 600 * played,
        "winrate": 100.0 if played else 0.0,
        "kda": 0.0,
        "total": dict.fromkeys(five, played),
        "average": dict.fromkeys(five, 1.0),
    }


def test_stats_summary_tolerates_new_heroes_and_omits_unplayed_roles() -> None:
    summary = _stats_summary(3)
    body = {
        "general": summary,
        "roles": {"support": summary},  # tank and damage never played: absent, not null
        "heroes": {"brand-new-hero": summary, "ana": _stats_summary(0)},
    }

    assert_renders_unchanged(PLAYER_STATS_SUMMARY, body, exclude_unset=True)
    assert_renders_unchanged(PLAYER_STATS_SUMMARY, {}, exclude_unset=True)


def test_stats_summary_needs_exclude_unset() -> None:
    # Documents why the router passes exclude_unset=True for this route.
    assert render(PLAYER_STATS_SUMMARY, {}) == b'{"general":null,"roles":null,"heroes":null}'


def test_hero_stats_and_search_tolerate_new_values() -> None:
    stats = [{"hero": "brand-new-hero", "pickrate": 0.0, "winrate": 100.5}]
    assert_renders_unchanged(HERO_STATS, stats)
    player = {
        "player_id": "ab%7Ccd",
        "name": "Someone",
        "avatar": None,
        "namecard": None,
        "title": None,
        "career_url": "https://example.org/players/ab%7Ccd",
        "blizzard_id": "ab%7Ccd",
        "last_updated_at": None,
        "is_public": None,
    }
    assert_renders_unchanged(PLAYER_SEARCH, {"total": 3, "results": [player]})


# --- 3. documentation ---------------------------------------------------------------------

ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "PLAYER_SEARCH": PLAYER_SEARCH,
    "PLAYER_SUMMARY": PLAYER_SUMMARY,
    "PLAYER": PLAYER,
    "PLAYER_STATS_SUMMARY": PLAYER_STATS_SUMMARY,
    "PLAYER_CAREER_STATS": PLAYER_CAREER_STATS,
    "CAREER_STATS": CAREER_STATS,
    "HERO_STATS": HERO_STATS,
}


def _keys(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            yield key
            yield from _keys(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _keys(item)


@pytest.mark.parametrize("name", ADAPTERS)
@pytest.mark.parametrize("mode", ["validation", "serialization"])
def test_schema_is_generated_without_time_bombs(name: str, mode: Any) -> None:
    schema = ADAPTERS[name].json_schema(mode=mode)

    keys = set(_keys(schema))
    assert "description" in keys
    # No enum of heroes/categories/divisions, no fixed list lengths, no bounded tiers.
    assert not keys & {"enum", "const", "minItems", "maxItems", "maximum"}


RESPONSE_MODELS: list[Any] = [
    PlayerSearchResult,
    PlayerSummary,
    Player,
    PlayerStatsSummary,
    PlayerCareerStats,
    CareerStats,
    list[HeroStatsSummary],
]


def test_openapi_components_keep_overfast_names(pages: Pages) -> None:
    # The routers pass the models as `response_model=`: FastAPI must document them.
    app = FastAPI()
    for index, model in enumerate(RESPONSE_MODELS):
        app.get(f"/route{index}", response_model=model)(lambda: None)

    schemas = app.openapi()["components"]["schemas"]

    ours = set(schemas)
    openapi = json.loads((pages.root / "expected" / "openapi.json").read_text("utf-8"))
    overfast = set(openapi["components"]["schemas"])
    # OverFast's per-hero PlayerHeroesStats model is a dict here (new heroes must not 500).
    assert ours == {
        "PlayerSearchResult",
        "PlayerShort",
        "PlayerSummary",
        "PlayerEndorsement",
        "PlayerCompetitiveRanksContainer",
        "PlatformCompetitiveRanksContainer",
        "PlayerCompetitiveRank",
        "Player",
        "PlayerStats",
        "PlayerPlatformStats",
        "PlayerGamemodeStats",
        "HeroesComparisons",
        "HeroesStats",
        "HeroStat",
        "CareerStats",
        "HeroCareerStats",
        "SingleCareerStat",
        "PlayerCareerStats",
        "PlayerStatsSummary",
        "PlayerRolesStats",
        "StatsSummary",
        "TotalStatsSummary",
        "AverageStatsSummary",
        "HeroStatsSummary",
    }
    assert ours <= overfast
    comparisons = schemas["HeroesComparisons"]
    assert list(comparisons["properties"]) == list(COMPARISON_CATEGORIES)
    assert comparisons["required"] == list(COMPARISON_CATEGORIES)
    assert "additionalProperties" in comparisons  # new categories are documented as allowed
