"""Reading a career page's blocks from its own text (`app.parsers._career_cuts`) against
parsing the whole page with lexbor, on every captured career page and on copies that
put a block where the parser would place its children otherwise.

These fail when the text reading stops applying to Blizzard's pages (the parser would
silently be about twice as slow) or when it could give another answer than the whole
parse (`cut_blocks=False`).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from selectolax.lexbor import LexborHTMLParser

from app.parsers import _career_cuts
from app.parsers._career_cuts import MARKER, Cuts, cut
from app.parsers.career import CareerParse, parse_career_report
from tests.conftest import Pages

PLAYERS = ("TeKrop-2217", "JohnV1-1190", "KIRIKO-12460")
TEKROP = "en-us/career/TeKrop-2217/index.html"
HERO_BLOCK = '<span class="stats-container option-0">'
CATEGORY = '<div class="Profile-progressBars'
CARD = '<div class="category">'


def _same(one: CareerParse, other: CareerParse) -> bool:
    return json.dumps(one.career) == json.dumps(other.career) and one.problems == other.problems


def _cuts(html: str) -> tuple[Cuts, bool]:
    """What `cut` takes out of `html`, and whether the parse finds every marker in place."""
    reduced, cuts = cut(html)
    return cuts, bool(cuts.children) and cuts.placed(LexborHTMLParser(reduced))


@pytest.mark.parametrize("player", PLAYERS)
def test_every_captured_block_is_read_from_the_page_s_text_with_the_whole_parse_s_answer(
    pages: Pages, player: str
) -> None:
    html = pages.blizzard(f"en-us/career/{player}/index.html")
    whole = LexborHTMLParser(html)
    blocks = whole.css("span.stats-container, div.Profile-progressBars")

    reduced, cuts = cut(html)

    assert len(cuts.children) == len(blocks) > 50
    assert cuts.children == [block.inner_html for block in blocks]  # rule 1: its own serialisation
    assert cuts.placed(LexborHTMLParser(reduced))
    assert len(reduced) < len(html) / 10
    read, whole_parse = parse_career_report(html), parse_career_report(html, cut_blocks=False)
    assert (read.reading, whole_parse.reading) == ("text", "whole")
    assert _same(read, whole_parse)


def _around_first(html: str, start: str, before: str, after: str) -> str:
    """`html` with the first block opening with `start` put between `before` and `after`."""
    begin = html.index(start)
    block = _career_cuts.BLOCK.match(html, begin)
    assert block is not None
    return html[:begin] + before + block.group() + after + html[block.end() :]


# Context around one block → whether its marker is still found in place after the cut.
CONTEXTS: list[tuple[str, str, str, str, bool]] = [
    ("inside a p, which the first card closes", HERO_BLOCK, "<p>", "</p>", False),
    ("inside a comment", HERO_BLOCK, "<!--", "-->", False),
    ("inside a template", HERO_BLOCK, "<template>", "</template>", False),
    ("inside a textarea", HERO_BLOCK, "<textarea>", "</textarea>", False),
    ("inside a table cell", HERO_BLOCK, "<table><tr><td>", "</td></tr></table>", False),
    ("inside a table, fostered out", HERO_BLOCK, "<table>", "</table>", True),
    ("inside a select", HERO_BLOCK, "<select>", "</select>", False),
    ("inside an svg, broken out of", HERO_BLOCK, "<svg>", "</svg>", True),
    ("inside a button", CATEGORY, "<button>", "</button>", False),
    ("inside a single-quoted attribute", HERO_BLOCK, "<span title='", "'></span>", False),
    ("under an open formatting element", HERO_BLOCK, "<b>", "</b>", True),
    ("after a formatting element closed early", HERO_BLOCK, "<div><b></div>", "", True),
    ("reopened inside the block", CATEGORY, "<div><b></div>", "", False),
    ("inside a div", CATEGORY, "<div>", "</div>", True),
]


@pytest.mark.parametrize(
    ("start", "before", "after", "placed"),
    [context[1:] for context in CONTEXTS],
    ids=[context[0] for context in CONTEXTS],
)
def test_a_block_placed_otherwise_gets_the_whole_parse_s_answer(
    pages: Pages, start: str, before: str, after: str, placed: bool
) -> None:
    html = _around_first(pages.blizzard(TEKROP), start, before, after)

    _, in_place = _cuts(html)
    read = parse_career_report(html)

    assert in_place is placed
    assert read.reading == ("text" if placed else "whole")
    assert _same(read, parse_career_report(html, cut_blocks=False))


def test_the_context_check_is_what_keeps_a_block_in_a_p_right(
    pages: Pages, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = _around_first(pages.blizzard(TEKROP), HERO_BLOCK, "<p>", "</p>")
    whole = parse_career_report(html, cut_blocks=False)
    monkeypatch.setattr(_career_cuts, "UNSAFE_ANCESTORS", frozenset())

    assert not _same(parse_career_report(html), whole)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('<p class="name">Eliminations</p>', '<p class="name">Kills &amp; Co</p>'),
        ('<p class="name">Eliminations</p>', '<p class="name">Kills > Co</p>'),
        ('<p class="name">Eliminations</p>', '<p class="name">Eliminations\xa0</p>'),
        ('<p class="name">Eliminations</p>', '<p class="name">Elimi\r\nnations</p>'),
        ('<p class="value">', '<p class="value" title="x">'),
        ('data-hero-id="ana"', 'data-hero-id="an&amp;a"'),
        (
            '<div class="Profile-progressBar-title">Ana<',
            '<div class="Profile-progressBar-title">A&lt;<',
        ),
        (CATEGORY, '<div class="Profile-progressBar Profile-progressBars'),
    ],
    ids=[
        "escaped",
        "greater-than",
        "nbsp",
        "carriage-return",
        "attribute",
        "hero-id",
        "title",
        "bar",
    ],
)
def test_blocks_whose_text_is_not_their_serialisation_are_parsed(
    pages: Pages, old: str, new: str
) -> None:
    html = pages.blizzard(TEKROP)
    assert old in html, old
    changed = html.replace(old, new)

    cuts, placed = _cuts(changed)

    assert placed
    assert len(_cuts(html)[0].children) > len(cuts.children) > 0
    assert _same(parse_career_report(changed), parse_career_report(changed, cut_blocks=False))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("</body>", f"<{MARKER}></{MARKER}></body>"),
        (HERO_BLOCK, f'{HERO_BLOCK}<{MARKER} k="0"></{MARKER}>'),  # where ours would be
    ],
    ids=["in-body", "in-a-block"],
)
def test_a_page_that_holds_the_marker_is_parsed_whole(pages: Pages, old: str, new: str) -> None:
    html = pages.blizzard(TEKROP).replace(old, new, 1)

    reduced, cuts = cut(html)
    read = parse_career_report(html)

    assert reduced == html
    assert cuts.children == []
    assert read.reading == "whole"
    assert read.career["stats"]["pc"]["quickplay"]["career_stats"]
    assert _same(read, parse_career_report(pages.blizzard(TEKROP), cut_blocks=False))


@pytest.mark.parametrize("change", [lambda page: page.replace(CARD, CARD.upper(), 1)])
def test_changed_markup_is_parsed_whole_and_read_as_before(
    pages: Pages, change: Callable[[str], str]
) -> None:
    html = change(pages.blizzard(TEKROP))

    assert _same(parse_career_report(html), parse_career_report(html, cut_blocks=False))


def test_an_uncut_node_s_children_are_serialised_by_lexbor() -> None:
    node = LexborHTMLParser("<div><p>a &amp; b</p></div>").css_first("div")
    assert node is not None

    assert Cuts().children_html(node) == "<p>a &amp; b</p>"
