"""The bulk of a career page, read from the page's own text where it is Blizzard's markup.

Hero blocks (`span.stats-container`) and top-heroes categories (`div.Profile-progressBars`)
are ~95% of a career page. Parsing them with lexbor only to serialise them back for
`_career_templates` costs about as much as parsing the page twice. So before the parse,
`cut` finds every such block whose children are, in the page's own text, exactly
Blizzard's markup (`_career_templates`, with stricter holes below); it keeps that text
and puts a marker element in its place, and lexbor parses what is left (~5% of the
page). Where a reader would serialise a block's children, `Cuts.children_html` gives the
text that was cut out.

Why the answer is the one parsing the whole page gives:
1. The text cut out is its own serialisation: only the grammar's tags, attributes and
   double quotes, and no character that lexbor escapes when it serialises or that the
   parser rewrites (`& < > " NBSP CR NUL`) in a text or attribute value.
2. Its elements (div, p, img) and texts are placed by the parser's generic "in body"
   rules, so they parse to the same nodes wherever the block stands, provided the block
   is an ordinary element in the body. `Cuts.placed` checks that on the parsed tree for
   every marker: it is an element, the only child of an element with the tag and class
   of the block it was cut from, in the cuts' order, and under `body` with no ancestor
   that changes those rules (`UNSAFE_ANCESTORS`: a `p`, which a `div` closes; a table
   part, `template`, `select`, `svg` or `math`, each its own insertion mode; a scope
   boundary). A marker that formatting elements were reopened around is misplaced too.
3. It cannot change how the rest is parsed: every element in it is closed, in order,
   and it holds no formatting element, comment, script or other raw-text element.

When a check fails, the caller parses the whole page as it did before: a different
placement costs time, never a different answer. `test_career_cuts.py` compares both
readings on every captured page and on pages that put the blocks where these rules
do not hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

from app.parsers._career_templates import BAR_MARKUP, CARD_MARKUP, ROW_MARKUP, is_bar_class

MARKER: Final = "owdata-cut"
# Texts and attribute values that serialise as themselves (see rule 1).
_TEXT: Final = "[^<>&\r\0\xa0]*"
_VALUE: Final = '[^<>&"\r\0\xa0]*'
_CARDS: Final = CARD_MARKUP.format(t=_TEXT, rows=f"(?:{ROW_MARKUP.format(t=_TEXT)})*")
_BARS: Final = BAR_MARKUP.format(t=_TEXT, a=_VALUE, h=_VALUE)
# A hero block or a category: its open tag (class value in a group), then its children.
BLOCK: Final = re.compile(
    f'<span class="(stats-container option-[0-9]+)">((?:{_CARDS})+)</span>'
    f'|<div class="(Profile-progressBars(?: [\\w-]+)*)"(?: [\\w-]+="{_VALUE}")*>'
    f"((?:{_BARS})+)</div>"
)
# Ancestors under which div, p, img or text are not placed by the generic rules: a `p`
# (a div closes it), an element with its own insertion mode, a table part, a scope bound.
UNSAFE_ANCESTORS: Final = frozenset(
    {"p", "head", "frameset", "template", "select", "option", "optgroup", "svg", "math"}
    | {"table", "caption", "colgroup", "col", "tbody", "thead", "tfoot", "tr", "td", "th"}
    | {"button", "object", "applet", "marquee"}
)


@dataclass(slots=True)
class Cuts:
    """The children cut out of a page, in page order, with their block's tag and class."""

    children: list[str] = field(default_factory=list)
    blocks: list[tuple[str, str]] = field(default_factory=list)

    def children_html(self, node: LexborNode) -> str:
        """The serialised children of `node`: the cut-out text when it is a cut block."""
        first = node.first_child
        if self.children and first is not None and first.tag == MARKER:
            return self.children[int(first.attrs.sget("k"))]
        return node.inner_html or ""  # (a page holding a marker of its own is never cut)

    def placed(self, tree: LexborHTMLParser) -> bool:
        """Whether every marker stands where its block was, in a context that parses the
        cut-out children as the whole page would (see the module docstring)."""
        markers = tree.css(MARKER)
        if len(markers) != len(self.children):
            return False
        checked: set[int] = set()  # ancestors already found safe
        for index, marker in enumerate(markers):
            block = marker.parent
            if (
                marker.attrs.sget("k") != str(index)
                or block is None
                or marker.prev is not None
                or marker.next is not None
                or (block.tag, block.attrs.sget("class")) != self.blocks[index]
                or not _in_body(block.parent, checked)
            ):
                return False
        return True


def cut(html: str) -> tuple[str, Cuts]:
    """`html` with the children of every block in Blizzard's markup replaced by a
    marker, and what was cut out (nothing when the page already holds a marker)."""
    cuts = Cuts()
    if MARKER in html:
        return html, cuts
    parts: list[str] = []
    position = 0
    for found in BLOCK.finditer(html):
        span_class, div_class = found.group(1), found.group(3)
        group = 2 if span_class is not None else 4
        if div_class is not None and is_bar_class(div_class):
            continue  # a category marked as a bar is read node by node
        start = found.start(group)
        parts += (html[position:start], f'<{MARKER} k="{len(cuts.children)}"></{MARKER}>')
        cuts.children.append(found.group(group))
        cuts.blocks.append(("span", span_class) if span_class is not None else ("div", div_class))
        position = found.end(group)
    if not parts:
        return html, cuts
    parts.append(html[position:])
    return "".join(parts), cuts


def _in_body(node: LexborNode | None, checked: set[int]) -> bool:
    """Whether `node` is under `body` with no ancestor in `UNSAFE_ANCESTORS`."""
    seen: list[int] = []
    while node is not None and node.mem_id not in checked and node.tag != "body":
        if node.tag in UNSAFE_ANCESTORS:
            return False
        seen.append(node.mem_id)
        node = node.parent
    if node is None:
        return False
    checked.update(seen)
    return True
