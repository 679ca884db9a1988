"""Career page parser: the captured pages, damaged copies of them, and small synthetic pages.

The field-for-field comparison with OverFast's answers is in
tests/unit/domain/test_player_views.py (the views turn this parser's output into bodies).
"""

from __future__ import annotations

import doctest
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from app.domain.errors import NotFoundError, ParseError
from app.parsers import _stat_names
from app.parsers.career import (
    convert_value,
    hero_key,
    parse_career,
    parse_career_report,
)
from tests.conftest import Pages

PLAYERS = ("TeKrop-2217", "JohnV1-1190", "KIRIKO-12460")
TEKROP = "en-us/career/TeKrop-2217/index.html"
ANA_QUICKPLAY = "div.mouseKeyboard-view blz-section.stats.quickPlay-view span.option-24"


def _edited(html: str, selector: str, edit: Callable[[LexborNode], None]) -> str:
    """`html` with `edit` applied to the first element matching `selector`."""
    tree = LexborHTMLParser(html)
    node = tree.css_first(selector)
    assert node is not None, selector
    edit(node)
    return tree.html or ""


def _set_text(node: LexborNode, text: str) -> None:
    assert node.first_child is not None
    node.first_child.replace_with(text)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


# --- the captured pages ------------------------------------------------------------------


@pytest.mark.parametrize("player", PLAYERS)
def test_parses_captured_page_into_plain_json(pages: Pages, player: str) -> None:
    report = parse_career_report(pages.blizzard(f"en-us/career/{player}/index.html"))

    career = report.career
    assert json.loads(json.dumps(career)) == career  # stored as JSON, read back unchanged
    assert report.problems == []  # nothing on the captured pages is dropped
    assert career["summary"]["username"] == player.split("-", maxsplit=1)[0]


def test_tekrop_pc_only_profile(pages: Pages) -> None:
    career = parse_career(pages.blizzard(TEKROP))

    summary = career["summary"]
    assert summary["title"] == "Data Broker"
    assert summary["endorsement"]["level"] == 2
    assert summary["last_updated_at"] == 1777998881
    assert summary["competitive"]["console"] is None
    pc_ranks = summary["competitive"]["pc"]
    assert pc_ranks["season"] == 22
    assert pc_ranks["support"]["division"] == "silver"
    assert pc_ranks["support"]["tier"] == 4
    assert pc_ranks["tank"] is None
    assert career["stats"]["console"] is None  # "We don't have any data … in this mode"
    quickplay = career["stats"]["pc"]["quickplay"]
    time_played = quickplay["heroes_comparisons"]["time_played"]
    assert time_played["values"][0] == {"hero": "reinhardt", "value": 371 * 3600 + 15 * 60 + 48}
    assert next(iter(quickplay["career_stats"])) == "all-heroes"
    ana_game = next(c for c in quickplay["career_stats"]["ana"] if c["category"] == "game")
    # Blizzard's repeated "Games Won" rows are kept as the page shows them.
    assert [s["value"] for s in ana_game["stats"] if s["key"] == "games_won"] == [574, 55, 55]


def test_johnv1_no_title_and_hidden_top_hero_categories(pages: Pages) -> None:
    career = parse_career(pages.blizzard("en-us/career/JohnV1-1190/index.html"))

    assert career["summary"]["title"] is None  # "No Title"
    comparisons = career["stats"]["pc"]["competitive"]["heroes_comparisons"]
    # Blizzard renders all-zero blocks for categories its dropdown does not offer.
    assert "weapon_accuracy_best_in_game" not in comparisons
    assert comparisons["games_won"]["label"] == "Games Won"  # dropdown says "Game Won"


def test_kiriko_pc_and_console(pages: Pages) -> None:
    career = parse_career(pages.blizzard("en-us/career/KIRIKO-12460/index.html"))

    assert career["summary"]["competitive"]["console"]["season"] == 16
    console = career["stats"]["console"]
    assert console["quickplay"] is not None
    assert console["competitive"] is not None
    assert "lucio" in console["quickplay"]["career_stats"]  # "Lúcio" in the dropdown


# --- not found, truncated, damaged --------------------------------------------------------


def test_player_not_found_page(pages: Pages) -> None:
    with pytest.raises(NotFoundError, match="Player not found"):
        parse_career(pages.blizzard("en-us/career/_not-found.html"))


@pytest.mark.parametrize("fraction", [0.0005, 0.05, 0.2, 0.45, 0.7, 0.95, 0.99999])
def test_truncated_page_is_a_parse_error_never_a_missing_player(
    pages: Pages, fraction: float
) -> None:
    html = pages.blizzard("en-us/career/KIRIKO-12460/index.html")

    with pytest.raises(ParseError) as caught:
        parse_career(html[: int(len(html) * fraction)])

    assert caught.value.section == "document"


@pytest.mark.parametrize("fraction", [0.02, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.97])
def test_page_cut_then_closed_never_raises_another_error(pages: Pages, fraction: float) -> None:
    # Cut anywhere, then closed so it passes for complete: half-built sections must give
    # a clear error or a partial profile, not an AttributeError or a KeyError.
    html = pages.blizzard("en-us/career/KIRIKO-12460/index.html")
    cut = html[: int(len(html) * fraction)] + "</body></html>"

    try:
        career = parse_career(cut)
    except (ParseError, NotFoundError):
        return
    assert json.loads(json.dumps(career)) == career


def test_removed_player_name_is_a_parse_error(pages: Pages) -> None:
    html = _edited(pages.blizzard(TEKROP), "h1.Profile-player--name", LexborNode.decompose)

    with pytest.raises(ParseError) as caught:
        parse_career(html)

    assert caught.value.section == "summary"
    assert caught.value.page_type == "career"


@pytest.mark.parametrize(
    ("selector", "section", "kept"),
    [
        (
            "div.mouseKeyboard-view blz-section.stats.competitive-view",
            "pc/competitive/career-stats",
            "heroes_comparisons",
        ),
        (
            "div.mouseKeyboard-view div.Profile-heroSummary--view.quickPlay-view",
            "pc/quickplay/heroes-comparisons",
            "career_stats",
        ),
    ],
)
def test_removed_section_keeps_the_other_part_and_is_reported(
    pages: Pages, selector: str, section: str, kept: str
) -> None:
    original = parse_career(pages.blizzard(TEKROP))
    html = _edited(pages.blizzard(TEKROP), selector, LexborNode.decompose)

    report = parse_career_report(html)

    platform, gamemode, _ = section.split("/")
    stats = report.career["stats"][platform][gamemode]
    assert stats[kept] == original["stats"][platform][gamemode][kept]
    assert not stats["heroes_comparisons" if kept == "career_stats" else "career_stats"]
    assert [(p.page_type, p.section, p.reason) for p in report.problems] == [
        ("career", section, "missing_section")
    ]
    other = "quickplay" if gamemode == "competitive" else "competitive"
    assert report.career["stats"][platform][other] == original["stats"][platform][other]


def test_non_numeric_stat_drops_only_that_row(
    pages: Pages, caplog: pytest.LogCaptureFixture
) -> None:
    html = _edited(
        pages.blizzard(TEKROP),
        f"{ANA_QUICKPLAY} div.stat-item p.value",
        lambda n: _set_text(n, "N/A"),
    )

    report = parse_career_report(html)

    ana = report.career["stats"]["pc"]["quickplay"]["career_stats"]["ana"]
    hero_specific = next(c for c in ana if c["category"] == "hero_specific")
    assert "scoped_accuracy_best_in_game" not in {s["key"] for s in hero_specific["stats"]}
    assert "self_healing" in {s["key"] for s in hero_specific["stats"]}
    assert any("pc/quickplay/career-stats/ana" in m for m in _warnings(caplog))
    assert [p.reason for p in report.problems] == ["unreadable_value"]
    assert report.problems[0].section.startswith("pc/quickplay/career-stats/ana/")


def test_card_without_header_drops_only_that_card(
    pages: Pages, caplog: pytest.LogCaptureFixture
) -> None:
    original = parse_career(pages.blizzard(TEKROP))["stats"]["pc"]["quickplay"]["career_stats"]
    html = _edited(pages.blizzard(TEKROP), f"{ANA_QUICKPLAY} div.header", LexborNode.decompose)

    report = parse_career_report(html)

    heroes = report.career["stats"]["pc"]["quickplay"]["career_stats"]
    assert heroes["ana"] == original["ana"][1:]  # the first card lost its header
    assert heroes["mercy"] == original["mercy"]
    assert any("pc/quickplay/career-stats/ana" in m for m in _warnings(caplog))
    assert [p.reason for p in report.problems] == ["unreadable_block"]


def test_unreadable_top_heroes_value_drops_only_that_bar(
    pages: Pages, caplog: pytest.LogCaptureFixture
) -> None:
    selector = (
        "div.mouseKeyboard-view div.quickPlay-view "
        "div.Profile-progressBars[data-category-id='0x0860000000000039'] "
        "div.Profile-progressBar-description"
    )
    original = parse_career(pages.blizzard(TEKROP))["stats"]["pc"]["quickplay"]
    html = _edited(pages.blizzard(TEKROP), selector, lambda n: _set_text(n, "lots"))

    report = parse_career_report(html)

    comparisons = report.career["stats"]["pc"]["quickplay"]["heroes_comparisons"]
    # The first bar is gone; every other keeps its own hero and value, in order.
    assert (
        comparisons["games_won"]["values"]
        == original["heroes_comparisons"]["games_won"]["values"][1:]
    )
    assert {k: v for k, v in comparisons.items() if k != "games_won"} == {
        k: v for k, v in original["heroes_comparisons"].items() if k != "games_won"
    }
    assert any("pc/quickplay/heroes-comparisons/games_won" in m for m in _warnings(caplog))
    assert [(p.section, p.reason) for p in report.problems] == [
        ("pc/quickplay/heroes-comparisons/games_won", "unreadable_value")
    ]


def test_private_profile_keeps_its_summary(pages: Pages) -> None:
    html = pages.blizzard(TEKROP)
    for view in ("mouseKeyboard-view", "controller-view"):
        html = _edited(html, f"div.Profile-view.{view}", LexborNode.decompose)

    career = parse_career(html)

    assert career["stats"] == {"pc": None, "console": None}
    assert career["summary"]["username"] == "TeKrop"
    assert career["summary"]["competitive"]["pc"]["season"] is None  # season lives in stats
    assert career["summary"]["competitive"]["pc"]["support"]["tier"] == 4


# --- synthetic pages: ranks and seasons -----------------------------------------------------


def _page(info: str = "", views: str = "") -> str:
    return (
        '<html><body><main class="main-content">'
        '<blz-section class="Profile-masthead" data-lastUpdate="x"><div class="Profile-player">'
        '<div class="Profile-player--summaryWrapper"><div class="Profile-player--summary">'
        '<h1 class="Profile-player--name">Someone</h1></div></div>'
        f'<div class="Profile-player--info">{info}</div></div></blz-section>{views}'
        "</main></body></html>"
    )


def _role(icon: str, rank: str, tier: str) -> str:
    return (
        f'<div class="Profile-playerSummary--roleWrapper">{icon}'
        f'<div><img class="Profile-playerSummary--rank" src="https://x/rank/{rank}">'
        f'<img class="Profile-playerSummary--rank" src="https://x/rank/{tier}"></div></div>'
    )


def test_console_ranks_and_unreadable_ones(caplog: pytest.LogCaptureFixture) -> None:
    svg = '<svg class="Profile-playerSummary--role"><use xlink:href="https://x/tank-1a.svg#icon"/></svg>'
    img = '<div class="Profile-playerSummary--role"><img src="https://x/offense.2b.svg"></div>'
    ranks = (
        _role(svg, "Rank_DiamondTier-3c.png", "TierDivision_2-4d.png")
        + _role(img, "Rank_ChampionTier.5e.png", "TierDivision_1.6f.png")  # no such division
        + _role('<div class="Profile-playerSummary--role"></div>', "a.png", "b.png")
    )
    info = f'<div class="controller-view Profile-playerSummary--rankWrapper">{ranks}</div>'
    views = (
        '<div class="controller-view Profile-view">'
        '<blz-section class="stats competitive-view" data-latestherostatrankseasonow2="s7">'
        "</blz-section></div>"
    )

    report = parse_career_report(_page(info, views))

    summary = report.career["summary"]
    console = summary["competitive"]["console"]
    assert console["tank"] == {
        "division": "diamond",
        "tier": 2,
        "role_icon": "https://x/tank-1a.svg#icon",
        "rank_icon": "https://x/rank/Rank_DiamondTier-3c.png",
        "tier_icon": "https://x/rank/TierDivision_2-4d.png",
    }
    assert console["damage"] is None
    assert console["season"] is None  # "s7" is not a number
    assert summary["competitive"]["pc"] is None
    assert summary["last_updated_at"] is None
    assert summary["endorsement"] is None
    assert summary["avatar"] is None
    assert len([m for m in _warnings(caplog) if "summary/competitive/console" in m]) == 3
    assert sorted(p.reason for p in report.problems) == [
        "unreadable_rank",
        "unreadable_rank",
        "unreadable_season",
    ]


# --- values and names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1,616", 1616),
        ("87%", 87),
        ("3.13", 3.13),
        ("10.10", 10.1),
        ("0", 0),
        ("-12", -12),
        ("01:06", 66),
        ("-00:00", 0),  # Blizzard writes some durations signed
        ("-01:06", 0),  # a negative duration counts as none
        ("+01:06", 66),
        ("-1:02:03", 0),
        ("371:15:48", 1336548),
        ("1,234:00:01", 1234 * 3600 + 1),
        ("--", 0),
        ("NaN", 0),
        (" 7 ", 7),
    ],
)
def test_convert_value(raw: str, value: Any) -> None:
    converted = convert_value(raw)

    assert converted == value
    assert type(converted) is type(value)


@pytest.mark.parametrize(
    "raw", ["", "N/A", "1:2:3:4", "12 kills", "1.2.3", "--1:00", "-", "1:-00", "12:7", ":30"]
)
def test_convert_value_rejects_non_numbers(raw: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        convert_value(raw)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Soldier: 76", "soldier-76"),
        ("D.Va", "dva"),
        ("Lúcio", "lucio"),
        ("Torbjörn", "torbjorn"),
        ("Junker Queen", "junker-queen"),
        ("ALL HEROES", "all-heroes"),
    ],
)
def test_hero_key(name: str, key: str) -> None:
    assert hero_key(name) == key


def test_value_and_name_docstring_examples_hold() -> None:
    result = doctest.testmod(_stat_names)

    assert result.attempted >= 2
    assert result.failed == 0
