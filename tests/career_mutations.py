"""Career pages Blizzard has not served (yet), built at test time from a captured one.

Each `Mutation` edits the captured HTML (string or DOM edits; no copy of a page is kept in
the repository), says which parts of the page the parser must report as dropped, and checks
that everything else still reads as on the original page. Used by the parser tests
(tests/unit/parsers/test_career_mutations.py) and end to end through the fake upstream
(tests/e2e/test_players_mutations.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from selectolax.lexbor import LexborHTMLParser

type Career = dict[str, Any]

PC_QUICKPLAY = "div.mouseKeyboard-view blz-section.stats.quickPlay-view"
ANA_QUICKPLAY = f"{PC_QUICKPLAY} span.stats-container.option-24"
GAMES_WON_BARS = (
    "div.mouseKeyboard-view div.quickPlay-view "
    "div.Profile-progressBars[data-category-id='0x0860000000000039']"
)
FIRST_TIME_PLAYED = "371:15:48"  # TeKrop's first pc quickplay `time_played` bar (Reinhardt)


def removed(html: str, selector: str) -> str:
    """`html` without the elements matching `selector` (at least one must match)."""
    tree = LexborHTMLParser(html)
    nodes = tree.css(selector)
    assert nodes, f"nothing matches {selector!r}: the mutation would change nothing"
    for node in nodes:
        node.decompose()
    return tree.html or ""


def emptied(html: str, selector: str) -> str:
    """`html` with the first element matching `selector` kept but emptied."""
    tree = LexborHTMLParser(html)
    node = tree.css_first(selector)
    assert node is not None, selector
    for child in list(node.iter(include_text=True)):
        child.decompose()
    return tree.html or ""


def replaced(html: str, old: str, new: str, count: int = -1) -> str:
    assert old in html, f"{old!r} is not in the page: the mutation would change nothing"
    return html.replace(old, new, count)


def extra_platform(html: str) -> str:
    """A third platform view (say, touch) next to pc and console: a copy of the pc view."""
    tree = LexborHTMLParser(html)
    view = tree.css_first("div.Profile-view.mouseKeyboard-view")
    assert view is not None
    whole, part = tree.html, view.html
    assert whole is not None
    assert part is not None
    copied = part.replace("mouseKeyboard-view", "touch-view", 1)
    return replaced(whole, part, part + copied, 1)


def _stats(career: Career, platform: str = "pc", gamemode: str = "quickplay") -> Any:
    return career["stats"][platform][gamemode]


def _without(mapping: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k not in keys}


def _renamed_hero(career: Career, old: str, new: str) -> Career:
    """`career` with hero `old` called `new` everywhere (what an unknown hero must give)."""
    renamed = copy.deepcopy(career)
    for platform in renamed["stats"].values():
        for gamemode in (platform or {}).values():
            if gamemode is None:
                continue
            for comparison in gamemode["heroes_comparisons"].values():
                for value in comparison["values"]:
                    value["hero"] = new if value["hero"] == old else value["hero"]
            heroes = gamemode["career_stats"]
            if old in heroes:
                heroes[new] = heroes.pop(old)
    return renamed


@dataclass(frozen=True)
class Mutation:
    name: str
    edit: Callable[[str], str]
    reasons: list[str] = field(default_factory=list)
    """The `ParseProblem.reason`s the parser must report, sorted."""
    check: Callable[[Career, Career], None] = lambda original, mutated: None
    """Asserts what must still read as on the original page (original, mutated)."""


def _check_competitive_career_missing(original: Career, mutated: Career) -> None:
    kept, lost = _stats(mutated, gamemode="competitive"), _stats(original, gamemode="competitive")
    assert kept["heroes_comparisons"] == lost["heroes_comparisons"]
    assert kept["career_stats"] == {}
    assert _stats(mutated) == _stats(original)


def _check_quickplay_top_missing(original: Career, mutated: Career) -> None:
    assert _stats(mutated)["heroes_comparisons"] == {}
    assert _stats(mutated)["career_stats"] == _stats(original)["career_stats"]


def _check_no_ranks(original: Career, mutated: Career) -> None:
    assert mutated["summary"]["competitive"]["pc"] == {
        "season": original["summary"]["competitive"]["pc"]["season"],
        "tank": None,
        "damage": None,
        "support": None,
        "open": None,
    }
    assert mutated["stats"] == original["stats"]


def _check_hero_without_data(original: Career, mutated: Career) -> None:
    heroes = _stats(original)["career_stats"]
    assert _stats(mutated)["career_stats"] == _without(heroes, "ana")
    assert _stats(mutated)["heroes_comparisons"] == _stats(original)["heroes_comparisons"]


def _check_singular_labels(original: Career, mutated: Career) -> None:
    def keys_and_values(career: Career) -> list[Any]:
        return [
            (hero, category["category"], [(s["key"], s["value"]) for s in category["stats"]])
            for hero, categories in _stats(career)["career_stats"].items()
            for category in categories
        ]

    assert keys_and_values(mutated) == keys_and_values(original)


def _check_signed_duration(original: Career, mutated: Career) -> None:
    bars = _stats(mutated)["heroes_comparisons"]["time_played"]["values"]
    before = _stats(original)["heroes_comparisons"]["time_played"]["values"]
    assert bars[0] == {"hero": before[0]["hero"], "value": 0}
    assert bars[1:] == before[1:]
    assert _without(mutated, "stats") == _without(original, "stats")


def _check_malformed_duration(original: Career, mutated: Career) -> None:
    bars = _stats(mutated)["heroes_comparisons"]["time_played"]["values"]
    before = _stats(original)["heroes_comparisons"]["time_played"]["values"]
    assert bars == before[1:]  # that bar alone is dropped; no value moves to another hero
    others = _without(_stats(mutated)["heroes_comparisons"], "time_played")
    assert others == _without(_stats(original)["heroes_comparisons"], "time_played")
    assert _stats(mutated)["career_stats"] == _stats(original)["career_stats"]


def _check_malformed_row(original: Career, mutated: Career) -> None:
    def game(career: Career) -> list[Any]:
        ana = _stats(career)["career_stats"]["ana"]
        return next(c["stats"] for c in ana if c["category"] == "game")

    assert game(mutated) == [s for s in game(original) if s["key"] != "time_played"]
    rest = _without(_stats(mutated)["career_stats"], "ana")
    assert rest == _without(_stats(original)["career_stats"], "ana")


def _check_unknown_hero(original: Career, mutated: Career) -> None:
    assert mutated == _renamed_hero(original, "ana", "newhero")


def _check_unknown_category(original: Career, mutated: Career) -> None:
    comparisons = _stats(mutated)["heroes_comparisons"]
    before = _stats(original)["heroes_comparisons"]
    assert comparisons["clutch_plays"]["values"] == before["games_won"]["values"]
    assert _without(comparisons, "clutch_plays") == _without(before, "games_won")
    ana = _stats(mutated)["career_stats"]["ana"]
    assert [c["category"] for c in ana] == [
        "season_records" if c["category"] == "match_awards" else c["category"]
        for c in _stats(original)["career_stats"]["ana"]
    ]


def _check_extra_platform(original: Career, mutated: Career) -> None:
    assert mutated == original


MUTATIONS: list[Mutation] = [
    Mutation(
        "competitive-career-stats-missing",
        lambda html: removed(html, "div.mouseKeyboard-view blz-section.stats.competitive-view"),
        ["missing_section"],
        _check_competitive_career_missing,
    ),
    Mutation(
        "quickplay-top-heroes-missing",
        lambda html: removed(
            html, "div.mouseKeyboard-view div.Profile-heroSummary--view.quickPlay-view"
        ),
        ["missing_section"],
        _check_quickplay_top_missing,
    ),
    Mutation(
        "ranks-missing",
        lambda html: removed(html, "div.Profile-playerSummary--rankWrapper"),
        [],
        _check_no_ranks,
    ),
    Mutation(
        "hero-without-data",
        lambda html: emptied(html, ANA_QUICKPLAY),
        [],
        _check_hero_without_data,
    ),
    Mutation(
        "singular-labels",
        lambda html: replaced(
            replaced(html, '<p class="name">Games Won</p>', '<p class="name">Game Won</p>'),
            '<p class="name">Eliminations</p>',
            '<p class="name">Elimination</p>',
        ),
        [],
        _check_singular_labels,
    ),
    Mutation(
        "signed-duration",
        lambda html: replaced(html, f">{FIRST_TIME_PLAYED}<", ">-00:00<", 1),
        [],
        _check_signed_duration,
    ),
    Mutation(
        "malformed-duration-bar",
        lambda html: replaced(html, f">{FIRST_TIME_PLAYED}<", ">371:15:48:00<", 1),
        ["unreadable_value"],
        _check_malformed_duration,
    ),
    Mutation(
        "malformed-duration-row",
        lambda html: replaced(
            html,
            '<p class="name">Time Played</p><p class="value">159:36:19</p>',
            '<p class="name">Time Played</p><p class="value">159h36</p>',
        ),
        ["unreadable_value"],
        _check_malformed_row,
    ),
    Mutation(
        "unknown-hero",
        lambda html: replaced(
            replaced(replaced(html, '"Ana"', '"Newhero"'), ">Ana<", ">Newhero<"),
            'data-hero-id="ana"',
            'data-hero-id="newhero"',
        ),
        [],
        _check_unknown_hero,
    ),
    Mutation(
        "unknown-category",
        lambda html: replaced(
            replaced(
                html,
                'option-id="Games Won">Games Won</option>',
                'option-id="Clutch Plays">Clutch Plays</option>',
            ),
            "<p>Match Awards</p>",
            "<p>Season Records</p>",
        ),
        [],
        _check_unknown_category,
    ),
    Mutation("extra-platform", extra_platform, ["unknown_platform"], _check_extra_platform),
]
