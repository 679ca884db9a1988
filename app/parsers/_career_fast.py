"""The career page's plain hero blocks and bar categories, straight to their output.

`_career_templates` reads Blizzard's exact markup from a block's serialised HTML as texts,
which `_career_blocks` then turns into stats one row at a time (a call, a check and a
recorded problem per row). Nearly every block of a real page is plain: Blizzard's exact
markup, no escaped character (`&`), no blank label, every value a number. Such a block
is turned into its output here in one go: labels are looked up in a bounded table of the
ones already seen (a page repeats a few hundred labels thousands of times) and values in
`convert_value`'s cache. Anything else returns None and the caller takes the general
reading, which gives the same output for plain blocks (`tests/unit/parsers/
test_career_fast.py` checks both on every captured block) and records the problems of
the others. The label table is a plain dict emptied when it reaches `LABELS_MAX` entries.
"""

from __future__ import annotations

from typing import Final, cast

from app.domain.player_career import ComparisonValue, Stat, StatCategory
from app.parsers._career_templates import BAR, CARD, ROWS, whole
from app.parsers._stat_keys import category_key, stat_key
from app.parsers._stat_names import convert_value, hero_key

# A row's name as serialised → (its label, its stat key); emptied when full. Names longer
# than LABEL_CHARS_MAX are not remembered: a few MB at most (Blizzard's are < 80 chars).
LABELS_MAX: Final = 4096
LABEL_CHARS_MAX: Final = 256
_labels: dict[str, tuple[str, str]] = {}


def stat_categories(serialised: str) -> list[StatCategory] | None:
    """The stat categories of a hero block whose children serialise to `serialised`, or
    None when the block is not plain (see the module docstring)."""
    if "&" in serialised:
        return None
    found = whole(serialised, CARD)
    if found is None:
        return None
    categories: list[StatCategory] = []
    try:
        for header, rows in found:
            stats = _stats(rows)
            label = header.strip()
            if stats is None or (stats and not label):
                return None
            if stats:
                categories.append({"category": category_key(label), "label": label, "stats": stats})
    except ValueError:  # a value that is not a number
        return None
    return categories


def _stats(rows: str) -> list[Stat] | None:
    """The stats of a card's rows (`rows`: their serialisation, checked by the caller)."""
    labels, convert = _labels.__getitem__, convert_value
    pairs = ROWS.findall(rows)
    try:
        return [
            {"key": (known := labels(name))[1], "label": known[0], "value": convert(value)}
            for name, value in pairs
        ]
    except KeyError:  # a name not seen yet
        pass
    found = [_label(name) for name, _ in pairs]
    if None in found:
        return None
    return [
        {"key": key, "label": label, "value": convert(value)}
        for (label, key), (_, value) in zip(cast(list[tuple[str, str]], found), pairs, strict=True)
    ]


def _label(name: str) -> tuple[str, str] | None:
    """`name`'s (label, stat key), remembered; None for a blank name."""
    found = _labels.get(name)
    if found is None:
        label = name.strip()
        if not label:
            return None
        found = (label, stat_key(label))
        if len(name) <= LABEL_CHARS_MAX:
            if len(_labels) >= LABELS_MAX:
                _labels.clear()
            _labels[name] = found
    return found


def comparison_values(serialised: str) -> list[ComparisonValue] | None:
    """The values of a top-heroes category (not itself marked as a bar) whose children
    serialise to `serialised`, or None when it is not plain."""
    if "&" in serialised:
        return None
    found = whole(serialised, BAR)
    if found is None:
        return None
    values: list[ComparisonValue] = []
    try:
        for hero_id, title, raw in found:
            hero = hero_id.strip() or hero_key(title.strip())
            if not hero:
                return None
            values.append({"hero": hero, "value": convert_value(raw)})
    except ValueError:
        return None
    return values
