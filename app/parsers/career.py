"""Player career page (`/en-us/career/<id>/`) → the JSON-able `ParsedCareer` dict.

Usage:
    >>> career = parse_career(html)                    # doctest: +SKIP
    >>> career["summary"]["username"], list(career["stats"])  # doctest: +SKIP
    ('TeKrop', ['pc', 'console'])

Shape (TypedDicts and a commented example in `app.domain.player_career`):

    {"summary": {"username", "avatar", "title", "endorsement": {"level", "frame"} | None,
                 "last_updated_at", "competitive": {"pc"|"console": {"season", "tank",
                 "damage", "support", "open"} | None}},
     "stats": {"pc"|"console": {"quickplay"|"competitive": {
                   "heroes_comparisons": {category: {"label", "values": [{"hero", "value"}]}},
                   "career_stats": {hero: [{"category", "label",
                                            "stats": [{"key", "label", "value"}]}]},
               } | None} | None}}

Values are already converted: `H:MM:SS`/`MM:SS` → seconds, `1,234` and `45%` → int,
decimals → float, `--`/`NaN` → 0. Keys are OverFast's (`_stat_keys`): snake_case English
labels; stat rows take the plural of OverFast's fixed table (`Game Won` → `games_won`,
`Enemy Slept` → `enemies_slept`), any other stat keeps the label's number (`knockback_kill`
when Blizzard writes "Knockback Kill" for a value of 1).

Modules: the masthead is read by `_career_summary`, values and names by `_stat_names`, keys
by `_stat_keys`, shared lookups live in `_career_nodes` and `_html`; this module walks the
platform views.

How: one lexbor parse, then each platform view, gamemode block, top-heroes category and
hero block is visited once, always searching inside its own (disjoint) subtree, so the
cost grows linearly with the page.

What is fatal and what is dropped:
- No `blz-section.Profile-masthead` on a complete page → `NotFoundError` (Blizzard's
  player-not-found page). A page that does not end with `</html>` is a truncated download,
  never a missing player → `ParseError(section="document")`, so it is neither stored nor
  negatively cached.
- No player name in the masthead → `ParseError(section="summary")`.
- A gamemode that has top heroes but no career-stats block (or the reverse) →
  `ParseError(section="pc/competitive/career-stats")`: a whole section vanishing is a
  layout change, and a silently emptied profile would be stored and served as real data.
- Local damage is logged (warning, with the section) and only that part is dropped: one
  top-heroes category that cannot be read ("pc/quickplay/heroes-comparisons/time_played"),
  one hero block whose rows are malformed ("pc/quickplay/career-stats/ana"), one stat value
  that is not a number (that row only), one unreadable rank (that role becomes null), an
  unreadable season (null).
- Top-heroes categories missing from the dropdown are skipped quietly: Blizzard renders
  hidden all-zero blocks for them (OverFast ignores them too).
- Private profiles (no platform views) and console-only players give `None` platforms.
"""

from __future__ import annotations

import logging
from typing import Any, Final, cast

from selectolax.lexbor import LexborHTMLParser, LexborNode

from app.domain.errors import NotFoundError
from app.domain.player_career import (
    ALL_HEROES,
    COMPARISON_CATEGORIES,
    GAMEMODES,
    PLATFORMS,
    Comparison,
    ComparisonValue,
    ParsedCareer,
    PlatformStats,
    Stat,
    StatCategory,
)
from app.parsers._career_nodes import PAGE, VIEW_CLASSES, Damaged, attr, class_value, text
from app.parsers._career_summary import summary
from app.parsers._html import classes
from app.parsers._stat_keys import category_key, comparison_key, stat_key
from app.parsers._stat_names import convert_value, hero_key, int_or_none

__all__ = ["PARSER_VERSION", "convert_value", "hero_key", "parse_career", "stat_key"]

PARSER_VERSION: int = 2  # 2: OverFast's stat keys (stored profiles are re-parsed)

logger = logging.getLogger(__name__)

_PLATFORM_CLASSES: Final = {view_class: platform for platform, view_class in VIEW_CLASSES.items()}
_GAMEMODE_CLASSES: Final = {"quickPlay-view": "quickplay", "competitive-view": "competitive"}
_SEASON_ATTRIBUTE: Final = "data-latestherostatrankseasonow2"


def parse_career(html: str) -> dict[str, Any]:
    """Parse a career page; see the module docstring for the result and the error rules."""
    PAGE.require_complete(html)
    tree = LexborHTMLParser(html)
    masthead = tree.css_first("blz-section.Profile-masthead")
    if masthead is None:
        raise NotFoundError("Player not found")

    stats: dict[str, PlatformStats | None] = dict.fromkeys(PLATFORMS)
    seasons: dict[str, int | None] = dict.fromkeys(PLATFORMS)
    for view in tree.css("div.Profile-view"):
        platform = class_value(view, _PLATFORM_CLASSES)
        if platform is None or stats[platform] is not None:
            continue  # an unknown platform, or a duplicated view: the first one wins
        stats[platform], seasons[platform] = _platform(view, platform)

    career: ParsedCareer = {"summary": summary(masthead, seasons), "stats": stats}
    return cast(dict[str, Any], career)


# --- stats per platform and gamemode -----------------------------------------------------


def _platform(view: LexborNode, platform: str) -> tuple[PlatformStats | None, int | None]:
    """One `div.Profile-view`: its gamemodes' stats (None if none has data) and the season."""
    comparisons: dict[str, LexborNode] = {}
    for block in view.css("div.Profile-heroSummary--view"):
        gamemode = class_value(block, _GAMEMODE_CLASSES)
        if gamemode is not None:
            comparisons.setdefault(gamemode, block)
    careers: dict[str, LexborNode] = {}
    for block in view.css("blz-section.stats"):
        gamemode = class_value(block, _GAMEMODE_CLASSES)
        if gamemode is not None:
            careers.setdefault(gamemode, block)

    season = None
    if "competitive" in careers:
        raw = careers["competitive"].attributes.get(_SEASON_ATTRIBUTE)
        season = int_or_none(raw)
        if raw is not None and season is None:
            logger.warning(
                "career page: unreadable season %r (summary/competitive/%s)", raw, platform
            )

    result: PlatformStats = {}
    for gamemode in GAMEMODES:
        where = f"{platform}/{gamemode}"
        top = _dropdown(comparisons.get(gamemode))
        career = _dropdown(careers.get(gamemode))
        if top is None and career is None:
            result[gamemode] = None  # "We don't have any data for this account in this mode"
            continue
        if top is None or career is None:
            missing = "heroes-comparisons" if top is None else "career-stats"
            raise PAGE.error(f"{where}/{missing}", "missing while the other part has data")
        result[gamemode] = {
            "heroes_comparisons": _comparisons(comparisons[gamemode], top, where),
            "career_stats": _career_stats(careers[gamemode], career, where),
        }
    if all(value is None for value in result.values()):
        return None, season
    return result, season


def _dropdown(block: LexborNode | None) -> dict[str, str] | None:
    """`{option value: label}` of the block's `<select>`; None when it has none (no data)."""
    select = block.css_first("select") if block is not None else None
    if select is None:
        return None
    options: dict[str, str] = {}
    for option in select.css("option"):
        value = option.attributes.get("value")
        label = option.attributes.get("option-id") or text(option)
        if value is not None and label:
            options[value] = label
    return options


def _comparisons(
    block: LexborNode, categories: dict[str, str], where: str
) -> dict[str, Comparison]:
    result: dict[str, Comparison] = {}
    for bars in block.css("div.Profile-progressBars"):
        label = categories.get(bars.attributes.get("data-category-id") or "")
        if label is None:
            continue  # a hidden block the dropdown does not offer (all zeros)
        key = comparison_key(label)
        try:
            values = [_comparison_value(bar) for bar in bars.css("div.Profile-progressBar")]
        except Damaged as exc:
            logger.warning("career page: dropped %s/heroes-comparisons/%s: %s", where, key, exc)
            continue
        if values:
            result[key] = {"label": COMPARISON_CATEGORIES.get(key, label), "values": values}
    return result


def _comparison_value(bar: LexborNode) -> ComparisonValue:
    hero_node = bar.css_first("[data-hero-id]")
    hero = attr(hero_node, "data-hero-id") or hero_key(
        text(bar.css_first(".Profile-progressBar-title"))
    )
    raw = text(bar.css_first(".Profile-progressBar-description"))
    if not hero:
        raise Damaged("a bar without hero")
    try:
        return {"hero": hero, "value": convert_value(raw)}
    except ValueError as exc:
        raise Damaged(str(exc)) from exc


def _career_stats(
    section: LexborNode, heroes: dict[str, str], where: str
) -> dict[str, list[StatCategory]]:
    # Hero blocks are `<span class="stats-container option-N">`, N = the dropdown's value.
    hero_by_class = {f"option-{value}": hero_key(label) for value, label in heroes.items()}
    result: dict[str, list[StatCategory]] = {}
    for block in section.css("span.stats-container"):
        option = next((c for c in classes(block) if c.startswith("option-")), "")
        hero = hero_by_class.get(option)
        if not hero:
            logger.warning(
                "career page: %s/career-stats: block %r not in the dropdown", where, option
            )
            continue
        try:
            categories = _hero_categories(block, f"{where}/career-stats/{hero}")
        except Damaged as exc:
            logger.warning("career page: dropped %s/career-stats/%s: %s", where, hero, exc)
            continue
        if categories and hero not in result:
            result[hero] = categories
    # A stable order whatever Blizzard's dropdown order: "all-heroes" first, then by key.
    return dict(sorted(result.items(), key=lambda item: (item[0] != ALL_HEROES, item[0])))


def _hero_categories(block: LexborNode, where: str) -> list[StatCategory]:
    categories: list[StatCategory] = []
    for card in block.iter():
        content = card.css_first("div.content")
        if content is None:
            content = card
        label = ""
        stats: list[Stat] = []
        for row in content.iter():
            row_classes = classes(row)
            if "header" in row_classes:
                label = text(row)
            elif "stat-item" in row_classes:
                stat = _stat_row(row, where)
                if stat is not None:
                    stats.append(stat)
        if not label and stats:
            raise Damaged("a stats card without a header")
        if stats:
            categories.append({"category": category_key(label), "label": label, "stats": stats})
    return categories


def _stat_row(row: LexborNode, where: str) -> Stat | None:
    cells = list(row.iter())
    if len(cells) < 2:
        raise Damaged(f"a stat row with {len(cells)} cell(s)")
    label, raw = text(cells[0]), text(cells[-1])
    if not label:
        raise Damaged("a stat row without a label")
    try:
        value = convert_value(raw)
    except ValueError as exc:
        logger.warning("career page: dropped stat %r in %s: %s", label, where, exc)
        return None
    return {"key": stat_key(label), "label": label, "value": value}
