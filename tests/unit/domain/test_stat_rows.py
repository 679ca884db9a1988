"""Repeated stat rows: one value per key, the row consistent with the rest of the page
(app/domain/stat_rows.py), on the captured pages and on small synthetic cards."""

from __future__ import annotations

import doctest
from typing import Any

import pytest

from app.domain import stat_rows
from app.domain.player_career import StatCategory, StatValue
from app.domain.player_career_stats import player_career_stats
from app.domain.stat_rows import HeroValues, stat_values
from app.parsers.career import parse_career
from tests.conftest import Pages

PLAYERS = ("TeKrop-2217", "JohnV1-1190", "KIRIKO-12460")


def _career(pages: Pages, player: str) -> dict[str, Any]:
    return parse_career(pages.blizzard(f"en-us/career/{player}/index.html"))


def _card(category: str, *rows: tuple[str, StatValue]) -> StatCategory:
    stats = [{"key": key, "label": key, "value": value} for key, value in rows]
    return {"category": category, "label": category, "stats": stats}  # type: ignore[typeddict-item]


def _gamemodes(career: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        gamemode
        for platform in career["stats"].values()
        for gamemode in (platform or {}).values()
        if gamemode is not None
    ]


def test_docstring_example_holds() -> None:
    result = doctest.testmod(stat_rows)

    assert result.attempted >= 1
    assert result.failed == 0


# --- the captured pages ----------------------------------------------------------------------


def test_tekrop_repeated_rows(pages: Pages) -> None:
    heroes = stat_values(_career(pages, "TeKrop-2217")["stats"]["pc"]["quickplay"]["career_stats"])

    # 601 then 79: 79 is the best of the heroes' own (Ana's), 601 no hero reached.
    assert heroes["all-heroes"]["best"]["time_spent_on_fire_most_in_game"] == 79
    # 55 then 35: 55 repeats "Eliminations - Most in Game"; Roadhog's best streak is 35.
    assert heroes["all-heroes"]["best"]["kill_streak_best"] == 35
    assert heroes["ana"]["game"]["games_won"] == 574  # 574, 55, 55: 1227 played − 653 lost
    # 6,515,110 then 6,513,360: only the first gives the page's 6,803 per 10 minutes.
    assert heroes["ana"]["assists"]["healing_done"] == 6515110
    assert heroes["widowmaker"]["hero_specific"]["scoped_critical_hits_most_in_game"] == 16


def test_johnv1_most_in_game_never_exceeds_the_total(pages: Pages) -> None:
    heroes = stat_values(_career(pages, "JohnV1-1190")["stats"]["pc"]["quickplay"]["career_stats"])

    # 503 then 22, with 65 s on fire in all: the first row exceeds the page's own total.
    assert heroes["all-heroes"]["combat"]["time_spent_on_fire"] == 65
    assert heroes["all-heroes"]["best"]["time_spent_on_fire_most_in_game"] == 22


@pytest.mark.parametrize("player", PLAYERS)
def test_every_chosen_row_is_consistent_with_its_page(pages: Pages, player: str) -> None:
    for gamemode in _gamemodes(_career(pages, player)):
        heroes = stat_values(gamemode["career_stats"])
        for hero, values in heroes.items():
            flat = {k: v for category in values.values() for k, v in category.items()}
            if hero != "all-heroes" and {"games_played", "games_lost"} <= set(flat):
                rows = _rows(gamemode["career_stats"][hero], "games_won")
                if flat["games_played"] - flat["games_lost"] in rows:
                    assert flat["games_won"] == flat["games_played"] - flat["games_lost"]
            for key, value in flat.items():
                total = key.removesuffix("_most_in_game")
                repeated = len(set(_rows(gamemode["career_stats"][hero], key))) > 1
                if repeated and key.endswith("_most_in_game") and total in flat:
                    assert value <= flat[total], (hero, key)
        _assert_all_heroes_at_least_their_best(heroes)


def _rows(categories: list[StatCategory], key: str) -> list[StatValue]:
    return [s["value"] for c in categories for s in c["stats"] if s["key"] == key]


def _assert_all_heroes_at_least_their_best(heroes: dict[str, HeroValues]) -> None:
    if "all-heroes" not in heroes:
        return
    best = heroes["all-heroes"].get("best", {})
    for key in ("kill_streak_best", "time_spent_on_fire_most_in_game"):
        of_heroes = [
            v.get("best", {}).get(key, 0) for hero, v in heroes.items() if hero != "all-heroes"
        ]
        if key in best and of_heroes:
            assert best[key] == max(of_heroes), key


def test_career_stats_of_one_hero_is_resolved_against_all_heroes(pages: Pages) -> None:
    career = _career(pages, "TeKrop-2217")

    every = player_career_stats(career, gamemode="quickplay", platform="pc")
    one = player_career_stats(career, gamemode="quickplay", platform="pc", hero="all-heroes")

    assert one == {"all-heroes": every["all-heroes"]}
    assert one["all-heroes"]["best"]["kill_streak_best"] == 35


# --- each check, on synthetic cards ---------------------------------------------------------


def test_games_won_is_the_row_matching_played_minus_lost() -> None:
    card = _card(
        "game", ("games_won", 3), ("games_won", 20), ("games_played", 30), ("games_lost", 10)
    )

    assert stat_values({"ana": [card]})["ana"]["game"]["games_won"] == 20


def test_a_total_is_the_row_matching_its_average() -> None:
    cards = [
        _card("assists", ("healing_done", 1000), ("healing_done", 6000)),
        _card("average", ("healing_done_avg_per_10_min", 1000)),
        _card("game", ("time_played", 3600)),
    ]

    assert stat_values({"ana": cards})["ana"]["assists"]["healing_done"] == 6000


def test_most_in_game_is_a_row_not_exceeding_the_total() -> None:
    cards = [
        _card("best", ("deaths_most_in_game", 50), ("deaths_most_in_game", 9)),
        _card("combat", ("deaths", 40)),
    ]

    assert stat_values({"ana": cards})["ana"]["best"]["deaths_most_in_game"] == 9


def test_all_heroes_best_is_the_row_equal_to_the_best_hero() -> None:
    heroes = {
        "all-heroes": [_card("best", ("kill_streak_best", 40), ("kill_streak_best", 12))],
        "ana": [_card("best", ("kill_streak_best", 12))],
        "mercy": [_card("best", ("kill_streak_best", 7))],
    }

    assert stat_values(heroes)["all-heroes"]["best"]["kill_streak_best"] == 12


def test_all_heroes_most_in_game_is_never_below_a_hero() -> None:
    heroes = {
        "all-heroes": [_card("best", ("assists_most_in_game", 5), ("assists_most_in_game", 30))],
        "ana": [_card("best", ("assists_most_in_game", 20))],
    }

    assert stat_values(heroes)["all-heroes"]["best"]["assists_most_in_game"] == 30


def test_rows_nothing_tells_apart_give_the_first() -> None:
    heroes = {"ana": [_card("hero_specific", ("enemies_slept", 4), ("enemies_slept", 2))]}

    assert stat_values(heroes) == {"ana": {"hero_specific": {"enemies_slept": 4}}}


def test_a_check_no_row_passes_decides_nothing() -> None:
    # 4 played, 1 lost, yet 4 won (Blizzard's own figures): no row is 3, the first stays.
    card = _card("game", ("games_played", 4), ("games_won", 4), ("games_won", 0), ("games_lost", 1))

    assert stat_values({"bastion": [card]})["bastion"]["game"]["games_won"] == 4
