"""The career parser's straight-to-output reading of plain hero blocks and bar categories
(`app.parsers._career_fast`) against the general reading (texts node by node, then row by
row), on every captured career page and on copies that are not plain.

These fail when the fast reading stops applying to Blizzard's pages (the parser would
silently be slower) or when it could give another output than the general one.
"""

from __future__ import annotations

import re

import pytest
from selectolax.lexbor import LexborHTMLParser

from app.parsers import _career_fast
from app.parsers._career_bars import bar_texts_by_node
from app.parsers._career_blocks import cards_by_node, categories_of, values_of
from app.parsers._career_nodes import Problems
from app.parsers.career import parse_career_report
from tests.conftest import Pages

PLAYERS = ("TeKrop-2217", "JohnV1-1190", "KIRIKO-12460")
TEKROP = "en-us/career/TeKrop-2217/index.html"
CARDS = "span.stats-container"
BARS = "div.Profile-progressBars"


@pytest.mark.parametrize("player", PLAYERS)
def test_every_captured_hero_block_is_read_fast_as_the_general_reading_reads_it(
    pages: Pages, player: str
) -> None:
    blocks = LexborHTMLParser(pages.blizzard(f"en-us/career/{player}/index.html")).css(CARDS)
    problems = Problems()

    fast = [_career_fast.stat_categories(block.inner_html or "") for block in blocks]

    assert blocks
    assert all(categories is not None for categories in fast)
    assert fast == [categories_of(cards_by_node(block), "x", problems) for block in blocks]
    assert problems == []


@pytest.mark.parametrize("player", PLAYERS)
def test_every_captured_bar_category_is_read_fast_as_the_general_reading_reads_it(
    pages: Pages, player: str
) -> None:
    tree = LexborHTMLParser(pages.blizzard(f"en-us/career/{player}/index.html"))
    categories = tree.css(BARS)
    problems = Problems()

    fast = [_career_fast.comparison_values(category.inner_html or "") for category in categories]

    assert categories
    assert all(values is not None for values in fast)
    assert fast == [values_of(bar_texts_by_node(bars), "x", problems) for bars in categories]
    assert problems == []


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('<p class="name">Eliminations</p>', '<p class="name">Kills &amp; Co</p>', None),
        ("<p>Match Awards</p>", "<p>Awards&nbsp;</p>", None),
        ('<p class="name">Eliminations</p>', '<p class="name"> </p>', "unreadable_block"),
        ("<p>Match Awards</p>", "<p></p>", "unreadable_block"),
        ('<p class="value">', '<p class="value">x', "unreadable_value"),
        (
            '<div class="Profile-progressBar--container">',
            '<div class="Profile-progressBar--container" title="x">',
            None,
        ),
        ('data-hero-id="', 'data-hero-id="&amp;', None),
        ('<div class="Profile-progressBar-description">', "<div>", "unreadable_value"),
    ],
)
def test_blocks_that_are_not_plain_are_read_the_general_way(
    pages: Pages, old: str, new: str, problem: str | None
) -> None:
    page = pages.blizzard(TEKROP)
    assert old in page
    changed = page.replace(old, new, 1)
    tree = LexborHTMLParser(changed)
    selector = BARS if "progressBar" in old or "hero-id" in old else CARDS
    nodes = tree.css(selector)
    read = _career_fast.stat_categories if selector == CARDS else _career_fast.comparison_values

    assert read(nodes[0].inner_html or "") is None
    assert all(read(node.inner_html or "") is not None for node in nodes[1:])
    report = parse_career_report(changed)
    assert [p.reason for p in report.problems] == ([problem] if problem else [])
    assert report.career["stats"] is not None


def test_a_blank_hero_id_gives_the_title_s_hero_in_both_readings(pages: Pages) -> None:
    page = re.sub(r'data-hero-id="[^"]*"', 'data-hero-id=" "', pages.blizzard(TEKROP))
    categories = LexborHTMLParser(page).css(BARS)
    problems = Problems()

    fast = [_career_fast.comparison_values(category.inner_html or "") for category in categories]

    assert fast == [values_of(bar_texts_by_node(bars), "x", problems) for bars in categories]
    assert fast[0] is not None
    assert fast[0][0]["hero"] == "reinhardt"  # from the title "Reinhardt"
    assert problems == []


def test_a_bar_without_hero_is_read_the_general_way(pages: Pages) -> None:
    page = re.sub(
        r'data-hero-id="[^"]*"(.*?)-title">[^<]*<',
        r'data-hero-id=""\1-title">?<',
        pages.blizzard(TEKROP),
        count=1,
    )
    category = LexborHTMLParser(page).css_first(BARS)
    assert category is not None

    assert _career_fast.comparison_values(category.inner_html or "") is None
    assert [p.reason for p in parse_career_report(page).problems] == ["unreadable_block"]


def test_the_label_table_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_career_fast, "_labels", {})
    rows = "".join(
        f'<div class="stat-item"><p class="name">Stat {i}</p><p class="value">{i}</p></div>'
        for i in range(_career_fast.LABELS_MAX + 10)
    )
    header = '<div class="category"><div class="content"><div class="header"><p>Combat</p></div>'
    card = f"{header}{rows}</div></div>"

    categories = _career_fast.stat_categories(card)

    assert categories is not None
    assert len(categories[0]["stats"]) == _career_fast.LABELS_MAX + 10
    assert categories[0]["stats"][-1] == {"key": "stat_4105", "label": "Stat 4105", "value": 4105}
    assert 0 < len(_career_fast._labels) <= _career_fast.LABELS_MAX


def test_long_names_are_read_but_not_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_career_fast, "_labels", {})
    name = "Long " * 100
    header = '<div class="category"><div class="content"><div class="header"><p>Combat</p></div>'
    row = f'<div class="stat-item"><p class="name">{name}</p><p class="value">7</p></div>'

    categories = _career_fast.stat_categories(f"{header}{row}</div></div>")

    assert categories is not None
    assert categories[0]["stats"] == [
        {"key": "long_" * 99 + "long", "label": name.strip(), "value": 7}
    ]
    assert _career_fast._labels == {}
