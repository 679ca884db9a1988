"""The career parser's one-go reading of Blizzard's stat cards and bars
(`app.parsers._career_templates`) against its node-by-node reading, on every captured
career page and on copies with escaped texts or changed markup.

The one-go reading is the fast path: these tests fail when it stops applying to
Blizzard's pages (the parser would silently be several times slower) or when the two
readings could disagree (the output would depend on which one ran).
"""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from app.parsers import _career_templates
from app.parsers._career_bars import bar_texts_by_node
from app.parsers._career_blocks import cards_by_node
from app.parsers.career import parse_career
from tests.conftest import Pages

PLAYERS = ("TeKrop-2217", "JohnV1-1190", "KIRIKO-12460")
TEKROP = "en-us/career/TeKrop-2217/index.html"
CARDS = "span.stats-container"
BARS = "div.Profile-progressBars"
TITLE = '<div class="Profile-progressBar-title">'
ICON = '<img class="Profile-progressBar--icon"'


@pytest.mark.parametrize("player", PLAYERS)
def test_every_captured_card_block_is_read_in_one_go_as_node_by_node(
    pages: Pages, player: str
) -> None:
    tree = LexborHTMLParser(pages.blizzard(f"en-us/career/{player}/index.html"))
    blocks = tree.css(CARDS)

    read = [_career_templates.cards(block) for block in blocks]

    assert blocks
    assert all(cards is not None for cards in read)
    assert read == [cards_by_node(block) for block in blocks]
    assert sum(len(rows) for cards in read for _, rows in cards or []) > 1000


@pytest.mark.parametrize("player", PLAYERS)
def test_every_captured_bar_category_is_read_in_one_go_as_node_by_node(
    pages: Pages, player: str
) -> None:
    tree = LexborHTMLParser(pages.blizzard(f"en-us/career/{player}/index.html"))
    categories = tree.css(BARS)

    read = [_career_templates.bars(category) for category in categories]

    assert categories
    assert all(bars is not None for bars in read)
    assert read == [bar_texts_by_node(category) for category in categories]
    assert sum(len(bars or []) for bars in read) > 100


def test_escaped_texts_read_as_their_nodes_give_them(pages: Pages) -> None:
    page = pages.blizzard(TEKROP)
    for old, new in [
        ('<p class="name">Eliminations</p>', '<p class="name"> Kills &amp; Co&nbsp;&lt;x&gt; </p>'),
        ("<p>Match Awards</p>", "<p>Awards &amp; Cards&nbsp;</p>"),
        ('data-hero-id="ana"', 'data-hero-id=" an&amp;a "'),
        (
            '<div class="Profile-progressBar-title">Ana<',
            '<div class="Profile-progressBar-title">A&amp;<',
        ),
    ]:
        assert old in page, old
        page = page.replace(old, new)
    tree = LexborHTMLParser(page)

    cards = [_career_templates.cards(block) for block in tree.css(CARDS)]
    bars = [_career_templates.bars(category) for category in tree.css(BARS)]

    labels = {name for block in cards for _, rows in block or [] for name, _, _ in rows}
    assert "Kills & Co\xa0<x>" in labels
    assert any(label == "Awards & Cards" for block in cards for label, _ in block or [])
    assert any(hero == "an&a" for category in bars for hero, _, _ in category or [])
    assert cards == [cards_by_node(block) for block in tree.css(CARDS)]
    assert bars == [bar_texts_by_node(category) for category in tree.css(BARS)]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('<div class="stat-item">', '<div class="stat-item" title="x">'),  # one more attribute
        ('<div class="stat-item">', ' <div class="stat-item">'),  # a text node between rows
        ('<p class="value">', '<p class="value"><!-- a comment -->'),  # a comment in a cell
        ('<div class="Profile-progressBar-title">', '<div class="Profile-progressBar-title x">'),
        ('<img class="Profile-progressBar--icon"', '<b></b><img class="Profile-progressBar--icon"'),
    ],
)
def test_other_markup_is_read_node_by_node_with_the_same_result(
    pages: Pages, old: str, new: str
) -> None:
    page = pages.blizzard(TEKROP)
    assert old in page
    changed = page.replace(old, new)
    tree = LexborHTMLParser(changed)
    selector = CARDS if "stat-item" in old or "value" in old else BARS
    one_go = _career_templates.cards if selector == CARDS else _career_templates.bars

    assert all(one_go(block) is None for block in tree.css(selector))
    assert parse_career(changed) == parse_career(page)


def test_a_category_marked_as_a_bar_is_read_node_by_node(pages: Pages) -> None:
    page = pages.blizzard(TEKROP).replace(
        'class="Profile-progressBars', 'class="Profile-progressBar Profile-progressBars'
    )
    category = LexborHTMLParser(page).css(BARS)[0]

    assert _career_templates.bars(category) is None
    # The node-by-node reading counts the category itself as a first bar.
    assert len(bar_texts_by_node(category)) == len(category.css("div.Profile-progressBar"))
