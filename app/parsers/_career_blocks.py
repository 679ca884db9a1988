"""The two parts of one career-page gamemode: top heroes (`heroes_comparisons`) and
career stats (per hero, stat cards of rows). Used by `app.parsers.career`.

Each bar, row and card is read on its own: one that cannot be read is recorded in
`problems` and dropped, and every other keeps its hero and label (pairs are never matched
by position, so nothing shifts).

Speed (a page holds ~3,000 rows and ~800 bars): each hero block and bar category is
read from its children's text, cut out of the page before the parse (`_career_cuts`) or
else serialised once; a plain one (Blizzard's exact markup, nothing to unescape, nothing
to drop) goes straight to its output (`_career_fast`). Any other is read as texts, from
that text when the markup is Blizzard's (`_career_templates`), else node by node (no
selector per row: a card's rows are its content's children, read through
`first_child`/`last_child`; a category's bars come from one query, `_career_bars`), then
row by row here, recording what it drops. The result never depends on which path ran.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from app.domain.player_career import (
    ALL_HEROES,
    COMPARISON_CATEGORIES,
    Comparison,
    ComparisonValue,
    Stat,
    StatCategory,
)
from app.parsers import _career_fast, _career_templates
from app.parsers._career_bars import bar_texts_by_node
from app.parsers._career_cuts import Cuts
from app.parsers._career_nodes import Damaged, Problems, text
from app.parsers._career_templates import Bar, Card
from app.parsers._html import classes
from app.parsers._stat_keys import category_key, comparison_key, stat_key
from app.parsers._stat_names import convert_value, hero_key


def comparisons(
    block: LexborNode, categories: dict[str, str], where: str, cuts: Cuts, problems: Problems
) -> dict[str, Comparison]:
    result: dict[str, Comparison] = {}
    for bars in block.css("div.Profile-progressBars"):
        label = categories.get(bars.attrs.sget("data-category-id"))
        if label is None:
            continue  # a hidden block the dropdown does not offer (all zeros)
        key = comparison_key(label)
        serialised = None if _career_templates.is_bar(bars) else cuts.children_html(bars)
        values = None if serialised is None else _career_fast.comparison_values(serialised)
        if values is None:
            found = None if serialised is None else _career_templates.bars_in(serialised)
            read = found if found is not None else bar_texts_by_node(bars)
            values = values_of(read, f"{where}/heroes-comparisons/{key}", problems)
        if values:
            result[key] = {"label": COMPARISON_CATEGORIES.get(key, label), "values": values}
    return result


def values_of(bars: list[Bar], where: str, problems: Problems) -> list[ComparisonValue]:
    """The values of a category's bars (see `_career_bars`), recording the dropped ones."""
    values: list[ComparisonValue] = []
    for hero_id, title, description in bars:
        try:
            values.append(_comparison_value(hero_id, title, description))
        except Damaged as exc:  # this bar only: the others keep their hero and value
            problems.add(where, exc.reason, str(exc))
    return values


def _comparison_value(hero_id: str | None, title: str, raw: str) -> ComparisonValue:
    hero = hero_id or hero_key(title)
    if not hero:
        raise Damaged("a bar without hero")
    try:
        return {"hero": hero, "value": convert_value(raw)}
    except ValueError as exc:
        raise Damaged(f"{hero}: {exc}", "unreadable_value") from exc


def career_stats(
    section: LexborNode, heroes: dict[str, str], where: str, cuts: Cuts, problems: Problems
) -> dict[str, list[StatCategory]]:
    # Hero blocks are `<span class="stats-container option-N">`, N = the dropdown's value.
    hero_by_class = {f"option-{value}": hero_key(label) for value, label in heroes.items()}
    result: dict[str, list[StatCategory]] = {}
    for block in section.css("span.stats-container"):
        option = next((c for c in classes(block) if c.startswith("option-")), "")
        hero = hero_by_class.get(option)
        if not hero:
            detail = f"block {option!r} not in the dropdown"
            problems.add(f"{where}/career-stats", "unknown_block", detail)
            continue
        categories = _hero_categories(block, f"{where}/career-stats/{hero}", cuts, problems)
        if categories and hero not in result:
            result[hero] = categories
    # A stable order whatever Blizzard's dropdown order: "all-heroes" first, then by key.
    return dict(sorted(result.items(), key=lambda item: (item[0] != ALL_HEROES, item[0])))


def _hero_categories(
    block: LexborNode, where: str, cuts: Cuts, problems: Problems
) -> list[StatCategory]:
    serialised = cuts.children_html(block)
    fast = _career_fast.stat_categories(serialised)
    if fast is not None:
        return fast
    found = _career_templates.cards_in(serialised)
    return categories_of(found if found is not None else cards_by_node(block), where, problems)


def categories_of(cards: list[Card], where: str, problems: Problems) -> list[StatCategory]:
    """The stat categories of a hero block's cards (see `cards_by_node`)."""
    categories: list[StatCategory] = []
    for label, rows in cards:
        stats: list[Stat] = []
        for name, raw, cells in rows:
            stat = _stat(name, raw, cells, where, problems)
            if stat is not None:
                stats.append(stat)
        if not label and stats:
            problems.add(where, "unreadable_block", "a stats card without a header")
        elif stats:
            categories.append({"category": category_key(label), "label": label, "stats": stats})
    return categories


def cards_by_node(block: LexborNode) -> list[Card]:
    """The cards of a hero block, node by node: each child's first `div.content` (or the
    child), whose last `.header` child gives the label and `.stat-item` children the rows."""
    cards: list[Card] = []
    for card in block.iter():
        label = ""
        rows: list[tuple[str, str, int]] = []
        for row in _content(card).iter():
            row_class = row.attrs.sget("class")
            # Blizzard's rows carry exactly one class: compare it before splitting any.
            is_row = row_class == "stat-item"
            if not is_row and row_class != "header":
                row_classes = row_class.split()
                if "header" in row_classes:
                    row_class = "header"
                is_row = row_class != "header" and "stat-item" in row_classes
            if row_class == "header":
                label = text(row)
            elif is_row:
                rows.append(_cells(row))
        cards.append((label, rows))
    return cards


def _content(card: LexborNode) -> LexborNode:
    """The card's first `div.content` (the card itself included), else the card."""
    first = card.first_child
    # The first descendant in document order is the first child: when it is the content
    # (and the card is not one itself), no selector needs to run.
    if (
        first is not None
        and first.tag == "div"
        and "content" in classes(first)
        and not (card.tag == "div" and "content" in classes(card))
    ):
        return first
    return card.css_first("div.content") or card


def _cells(row: LexborNode) -> tuple[str, str, int]:
    """A row's first and last element children's texts, and its count of them."""
    first, last = row.first_child, row.last_child
    if (
        first is not None
        and last is not None
        and first.is_element_node
        and last.is_element_node
        and first.mem_id != last.mem_id
    ):  # two element children or more: the label is the first, the value the last
        following = first.next
        adjacent = following is not None and following.mem_id == last.mem_id
        return text(first), text(last), 2 if adjacent else len(list(row.iter()))
    cells = list(row.iter())
    if len(cells) < 2:
        return "", "", len(cells)
    return text(cells[0]), text(cells[-1]), len(cells)


def _stat(label: str, raw: str, cells: int, where: str, problems: Problems) -> Stat | None:
    """One stat row, or None (recorded in `problems`) when it cannot be read."""
    if not label:
        problems.add(where, "unreadable_block", f"a stat row with {cells} cell(s) and no label")
        return None
    try:
        value = convert_value(raw)
    except ValueError as exc:
        problems.add(f"{where}/{label}", "unreadable_value", str(exc))
        return None
    return {"key": stat_key(label), "label": label, "value": value}
