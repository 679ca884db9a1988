"""Blizzard's stat cards and top-heroes bars, read from their children's HTML in one go.

A career page holds ~3,000 stat rows and ~600 bars; visiting each through Python node
objects (a wrapper per node, a call per text) costs more than lexbor's whole parse. So a
hero block (`span.stats-container`) or a category (`div.Profile-progressBars`) is first
tried as a whole: its children's text (cut out of the page before the parse by
`_career_cuts`, else serialised by lexbor) must be, from start to end, a sequence of
Blizzard's exact markup (below; only text and the values shown as `…` vary). When it
is, the markup fixes the tree, so the texts read from it are those the
node-by-node reading finds (`tests/unit/parsers/test_career_templates.py` checks both
agree on every captured block); when it is not (Blizzard changed something), these return
None and the caller reads the nodes one by one, as robustly as before.

    card: <div class="category"><div class="content"><div class="header"><p>LABEL</p></div>
          per row: <div class="stat-item"><p class="name">NAME</p><p class="value">VALUE</p>
          </div>; then </div></div>
    bar:  <div class="Profile-progressBar[ hide]"><img class="Profile-progressBar--icon" src="…">
          <div class="Profile-progressBar--container"><div class="Profile-progressBar--bar"
          data-progress="…" data-hero-id="HERO"><div class="Profile-progressBar--progress"
          style="…"></div></div><div class="Profile-progressBar--textWrapper"><div
          class="Profile-progressBar-title">TITLE</div><div
          class="Profile-progressBar-description">VALUE</div></div></div></div>

Texts come back unescaped (lexbor escapes `&`, `<`, `>`, `"` and no-break spaces when it
serialises) and stripped, as `_career_nodes.text` and `attr` give them.
"""

from __future__ import annotations

import html
import re
from typing import Final

from selectolax.lexbor import LexborNode

type Card = tuple[str, list[tuple[str, str, int]]]
"""A card's header text, and per row: its name and value texts and its count of cells."""
type Bar = tuple[str | None, str, str]
"""A bar's `data-hero-id` (None when blank), title text and description text."""

# Blizzard's markup with holes: `{t}` a text, `{a}` an attribute value we do not read,
# `{h}` the hero id, `{rows}` a card's rows. `_career_cuts` fills them more strictly.
ROW_MARKUP: Final = '<div class="stat-item"><p class="name">{t}</p><p class="value">{t}</p></div>'
CARD_MARKUP: Final = (
    '<div class="category"><div class="content"><div class="header">'
    "<p>{t}</p></div>{rows}</div></div>"
)
BAR_MARKUP: Final = (
    '<div class="Profile-progressBar(?: hide)?">'
    '<img class="Profile-progressBar--icon" src="{a}">'
    '<div class="Profile-progressBar--container">'
    '<div class="Profile-progressBar--bar" data-progress="{a}" data-hero-id="{h}">'
    '<div class="Profile-progressBar--progress" style="{a}"></div></div>'
    '<div class="Profile-progressBar--textWrapper">'
    '<div class="Profile-progressBar-title">{t}</div>'
    '<div class="Profile-progressBar-description">{t}</div>'
    "</div></div></div>"
)
_TEXT: Final = "[^<]*"
_VALUE: Final = '[^"]*'
ROWS: Final = re.compile(ROW_MARKUP.format(t=f"({_TEXT})"))
CARD: Final = re.compile(
    CARD_MARKUP.format(t=f"({_TEXT})", rows=f"((?:{ROW_MARKUP.format(t=_TEXT)})*)")
)
BAR: Final = re.compile(BAR_MARKUP.format(t=f"({_TEXT})", a=_VALUE, h=f"({_VALUE})"))


def cards(block: LexborNode) -> list[Card] | None:
    """The cards of a hero block, or None when its children are not exactly cards."""
    return cards_in(block.inner_html or "")


def cards_in(serialised: str) -> list[Card] | None:
    """`cards` of the block whose children serialise to `serialised`."""
    found = whole(serialised, CARD)
    if found is None:
        return None
    text = _text if "&" in serialised else str.strip
    return [
        (text(label), [(text(name), text(value), 2) for name, value in ROWS.findall(rows)])
        for label, rows in found
    ]


def bars(category: LexborNode) -> list[Bar] | None:
    """The bars of a top-heroes category, or None when its children are not exactly bars
    (or the category is itself marked as a bar, which the node reading counts as one)."""
    if is_bar(category):
        return None
    return bars_in(category.inner_html or "")


def is_bar(category: LexborNode) -> bool:
    """Whether the category is itself marked as a bar (never read in one go)."""
    return is_bar_class(category.attrs.sget("class"))


def is_bar_class(class_value: str) -> bool:
    """Whether a category's `class` attribute marks it as a bar itself."""
    return "Profile-progressBar" in class_value.split()


def bars_in(serialised: str) -> list[Bar] | None:
    """`bars` of a category (not itself a bar) whose children serialise to `serialised`."""
    found = whole(serialised, BAR)
    if found is None:
        return None
    text = _text if "&" in serialised else str.strip
    return [(text(hero) or None, text(title), text(value)) for hero, title, value in found]


def whole(serialised: str, pattern: re.Pattern[str]) -> list[tuple[str, ...]] | None:
    """The groups of each `pattern` match, when the matches cover `serialised` (a node's
    serialised children) from start to end; else None."""
    found: list[tuple[str, ...]] = []
    position, end = 0, len(serialised)
    match = pattern.match
    while position < end:
        matched = match(serialised, position)
        if matched is None:
            return None
        found.append(matched.groups())
        position = matched.end()
    return found


def _text(serialised: str) -> str:
    return (html.unescape(serialised) if "&" in serialised else serialised).strip()
