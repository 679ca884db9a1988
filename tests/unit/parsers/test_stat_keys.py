"""Labels → keys (`app.parsers._stat_keys`): OverFast's keys, which clients look up by name."""

from __future__ import annotations

import doctest
from collections.abc import Iterator
from typing import Any

import pytest

from app.devtools.fixtures import fixtures_dir
from app.domain.player_career import COMPARISON_CATEGORIES
from app.parsers import _stat_keys
from app.parsers._stat_keys import category_key, comparison_key, snake_case, stat_key
from tests.conftest import Pages


@pytest.mark.parametrize(
    ("label", "key"),
    [
        # The examples: OverFast keeps the singular of a stat outside its table…
        ("Knockback Kill", "knockback_kill"),
        ("Knockback Kill - Most in Game", "knockback_kill_most_in_game"),
        ("Elimination per Life", "elimination_per_life"),
        ("Ultimate Negated - Most in Game", "ultimate_negated_most_in_game"),
        # …and of a table stat followed by a suffix the table does not take…
        ("Amplification Matrix Assist - Best in Game", "amplification_matrix_assist_best_in_game"),
        # …and its plural word is not always the last one.
        ("Player Resurrected", "players_resurrected"),
        ("Enemy Slept", "enemies_slept"),
        ("Immortality Field Death Prevented", "immortality_field_deaths_prevented"),
        ("Pulse Bomb Attached", "pulse_bombs_attached"),
        ("Low Health Teleport", "low_health_teleports"),
        ("Player Knocked Back", "players_knocked_back"),
        # Plural labels are kept as they are, so both numbers give one key.
        ("Players Resurrected", "players_resurrected"),
        ("Knockback Kills", "knockback_kills"),
        ("Sticky Bombs Direct Hit", "sticky_bombs_direct_hits"),
        # The three suffixes of the table.
        ("Turret Kill - Avg per 10 Min", "turret_kills_avg_per_10_min"),
        ("Enemy Slept - Most in Game", "enemies_slept_most_in_game"),
        ("Elimination - Most in Life", "eliminations_most_in_life"),
        ("Turret Kill - Best in Game", "turret_kill_best_in_game"),
        # Keys pluralised only as they are.
        ("Game Won", "games_won"),
        ("Game Played", "games_played"),
        ("Game Lost", "games_lost"),
        ("Hero Win", "hero_wins"),
        ("Card", "cards"),
        ("Game Won - Most in Game", "game_won_most_in_game"),
        ("Card - Avg per 10 Min", "card_avg_per_10_min"),
        # snake_case as OverFast writes it.
        ("Eliminations - Most in Game", "eliminations_most_in_game"),
        ("Assists - Avg per 10 min", "assists_avg_per_10_min"),
        ("Multikill - Best", "multikill_best"),
        ("Kill Streak - Best", "kill_streak_best"),
        ("of Match on Fire", "of_match_on_fire"),
        ("Biotic Orb Kills  - Avg per 10 Min", "biotic_orb_kills__avg_per_10_min"),
        ("Self-Destruct Kills", "self_destruct_kills"),
        ("Self-Destruct Kill", "self_destruct_kills"),
        ("Torbjörn Kills", "torbjorn_kills"),
        ("Damage – Most in Game", "damage___most_in_game"),  # an en dash is not "- "
        ("HighEnergy Kill", "high_energy_kills"),
        (" Weapon Accuracy ", "weapon_accuracy"),
    ],
)
def test_stat_key(label: str, key: str) -> None:
    assert stat_key(label) == key


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Game Won", "games_won"),
        ("Games Won", "games_won"),
        ("Elimination per Life", "eliminations_per_life"),
        ("Eliminations per Life", "eliminations_per_life"),
        ("Objective Kill", "objective_kills"),
        ("Objective Kill - Avg per 10 Min", "objective_kills_avg_per_10_min"),
        ("Solo Kill - Avg per 10 Min", "solo_kills_avg_per_10_min"),
        ("Weapon Accuracy - Best in Game", "weapon_accuracy_best_in_game"),
        ("Multikill - Best", "multikill_best"),
    ],
)
def test_comparison_key_is_plural_whatever_the_labels_number(label: str, key: str) -> None:
    assert comparison_key(label) == key


@pytest.mark.parametrize("label", list(COMPARISON_CATEGORIES.values()))
def test_every_contract_comparison_label_gives_its_key(label: str) -> None:
    assert COMPARISON_CATEGORIES[comparison_key(label)] == label


def test_category_key_is_the_label_in_snake_case() -> None:
    assert category_key("Hero Specific") == "hero_specific"
    assert category_key("Match Awards") == "match_awards"
    # Not the stat table: a card header is never pluralised.
    assert category_key("Game Won") == snake_case("Game Won") == "game_won"


def _expected_rows(pages: Pages) -> Iterator[dict[str, Any]]:
    """Every `{category, label, stats: [{key, label}]}` in OverFast's `/stats` answers."""
    folder = fixtures_dir() / "expected"
    for path in sorted(folder.glob("players_*_stats__*.json")):
        answer = pages.expected(path.name)
        if answer["status"] == 200:
            for categories in answer["body"].values():
                yield from categories


def test_every_key_of_overfasts_answers_comes_from_its_label(pages: Pages) -> None:
    pairs = {
        (stat["label"], stat["key"])
        for category in _expected_rows(pages)
        for stat in category["stats"]
    }
    categories = {(c["label"], c["category"]) for c in _expected_rows(pages)}

    assert len(pairs) > 500
    assert {label: stat_key(label) for label, _ in pairs} == dict(pairs)
    assert {label: category_key(label) for label, _ in categories} == dict(categories)
    # The singular labels are there, and keep OverFast's keys either way.
    assert ("Knockback Kill", "knockback_kill") in pairs
    assert ("Game Won", "games_won") in pairs


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(_stat_keys)

    assert result.attempted >= 6
    assert result.failed == 0
