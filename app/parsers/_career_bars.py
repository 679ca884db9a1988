"""The bars of one top-heroes category (`div.Profile-progressBars`) as texts: for each
`div.Profile-progressBar`, in page order, its first `[data-hero-id]` node's id (None when
absent or blank), its first `.Profile-progressBar-title`'s text and its first
`.Profile-progressBar-description`'s text ("" when absent). Used by `_career_blocks`.

Blizzard's markup is read in one go (`_career_templates.bars_in`, by `_career_blocks`);
anything else here, bar by bar through the nodes (three selector lookups per bar, several
times slower, same texts).
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from app.parsers._career_nodes import attr, text
from app.parsers._career_templates import Bar


def bar_texts_by_node(category: LexborNode) -> list[Bar]:
    return [
        (
            attr(bar.css_first("[data-hero-id]"), "data-hero-id"),
            text(bar.css_first(".Profile-progressBar-title")),
            text(bar.css_first(".Profile-progressBar-description")),
        )
        for bar in category.css("div.Profile-progressBar")
    ]
