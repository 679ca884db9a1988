"""The bars of one top-heroes category (`div.Profile-progressBars`), read with one
selector query instead of three per bar. Used by `app.parsers._career_blocks`.

For each `div.Profile-progressBar`, in page order: its first `[data-hero-id]` node, its
first `.Profile-progressBar-title` and its first `.Profile-progressBar-description` (the
bar itself included, as `css_first` on the bar gives them; None when absent).

How: one query returns the bars and every candidate inside a bar, in document order
(lexbor lists a node once per selector it matches, one after the other). When bars do not
nest, a candidate belongs to the last bar before it. Nested bars (never seen on
Blizzard's pages) are read bar by bar with `css_first`, which gives the same answer.
"""

from __future__ import annotations

from typing import Final

from selectolax.lexbor import LexborNode

type BarParts = tuple[LexborNode | None, LexborNode | None, LexborNode | None]

_BAR: Final = "div.Profile-progressBar"
_HERO: Final = "[data-hero-id]"
_TITLE: Final = ".Profile-progressBar-title"
_DESCRIPTION: Final = ".Profile-progressBar-description"
_QUERY: Final = ", ".join([_BAR, *(f"{_BAR} {part}" for part in (_HERO, _TITLE, _DESCRIPTION))])
_NESTED: Final = f"{_BAR} {_BAR}"


def bar_parts(bars: LexborNode) -> list[BarParts]:
    """`(hero node, title, description)` of each bar under `bars`, in page order."""
    if bars.css_first(_NESTED) is not None:
        return [_parts_by_selector(bar) for bar in bars.css(_BAR)]
    found: list[list[LexborNode | None]] = []
    current: list[LexborNode | None] = []
    bar_id = -1
    for node in bars.css(_QUERY):
        if node.mem_id == bar_id:
            continue  # the bar again, listed for another selector it matches
        attributes = node.attributes  # one call (`attrs` raises KeyError for a miss)
        names = (attributes.get("class") or "").split()
        if "Profile-progressBar" in names and node.tag == "div":
            current, bar_id = [None, None, None], node.mem_id
            found.append(current)
        elif not current:
            continue  # before the first bar (the selector also looks above `bars`)
        if current[0] is None and "data-hero-id" in attributes:
            current[0] = node
        if current[1] is None and "Profile-progressBar-title" in names:
            current[1] = node
        if current[2] is None and "Profile-progressBar-description" in names:
            current[2] = node
    return [(hero, title, description) for hero, title, description in found]


def _parts_by_selector(bar: LexborNode) -> BarParts:
    return bar.css_first(_HERO), bar.css_first(_TITLE), bar.css_first(_DESCRIPTION)
