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

Modules: the masthead is read by `_career_summary`, a gamemode's top heroes and career
stats by `_career_blocks` (bars by `_career_bars`), values and names by `_stat_names`,
keys by `_stat_keys`, shared lookups live in `_career_nodes` and `_html`; this module
walks the platform views.

How: the hero blocks and top-heroes categories in Blizzard's exact markup (~95% of the
page) are cut out of the text and lexbor parses the rest (`_career_cuts`: the parsed tree
must show each cut block in an ordinary place, else the whole page is parsed). Then each
platform view, gamemode block, top-heroes category and hero block is visited once,
always searching inside its own (disjoint) subtree, so the cost grows linearly with the
page. The ~3,000 stat rows and ~600 bars of a page are not visited node by node: each
block in Blizzard's markup is read in one go from its text, the cut-out one or lexbor's
serialisation (`_career_fast`, `_career_templates`); any other markup falls back to the
node-by-node reading. Every path gives the same output (tested on every captured block
and page).

What is fatal and what is dropped:
- No `blz-section.Profile-masthead` on a complete page → `NotFoundError` (Blizzard's
  player-not-found page). A page that does not end with `</html>` is a truncated download,
  never a missing player → `ParseError(section="document")`, so it is neither stored nor
  negatively cached.
- No player name in the masthead → `ParseError(section="summary")`.
- Anything else that changed loses only itself, and is returned as a `ParseProblem`
  (logged here, counted by the service in `owdata_parse_errors_total{page_type, reason}`):
  one value that is not a number (that value only: the other bars and rows keep their
  hero and label, nothing shifts), a bar without hero, a stat row without label, a card
  without header (that card), a hero block its dropdown does not list, a gamemode whose
  top heroes or career stats are missing (the other part is kept, the missing one empty),
  a platform view we do not know (pc and console are kept), an unreadable rank (that role
  becomes null) or season (null).
- Signed durations are values: Blizzard writes some as `-00:00`; a negative one counts 0.
- Top-heroes categories missing from the dropdown are skipped quietly: Blizzard renders
  hidden all-zero blocks for them (OverFast ignores them too).
- Private profiles (no platform views) and console-only players give `None` platforms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, cast

from selectolax.lexbor import LexborHTMLParser, LexborNode

from app.domain.errors import NotFoundError, ParseProblem
from app.domain.player_career import (
    GAMEMODES,
    PLATFORMS,
    CareerReading,
    ParsedCareer,
    PlatformStats,
)
from app.parsers._career_blocks import career_stats, comparisons
from app.parsers._career_cuts import Cuts, cut
from app.parsers._career_nodes import PAGE, VIEW_CLASSES, Problems, class_value, text
from app.parsers._career_summary import summary
from app.parsers._html import classes
from app.parsers._stat_keys import stat_key
from app.parsers._stat_names import convert_value, hero_key, int_or_none

__all__ = [
    "PARSER_VERSION",
    "CareerParse",
    "convert_value",
    "hero_key",
    "parse_career",
    "parse_career_report",
    "stat_key",
]

# 2: OverFast's stat keys; signed durations; one unreadable value or card loses only
# itself; a missing section or an unknown platform no longer fails the whole page.
PARSER_VERSION: int = 2

_PLATFORM_CLASSES: Final = {view_class: platform for platform, view_class in VIEW_CLASSES.items()}
_GAMEMODE_CLASSES: Final = {"quickPlay-view": "quickplay", "competitive-view": "competitive"}
_SEASON_ATTRIBUTE: Final = "data-latestherostatrankseasonow2"
# A gamemode's top heroes and its career stats (never both: the tags differ).
_BLOCKS: Final = "div.Profile-heroSummary--view, blz-section.stats"


@dataclass(frozen=True, slots=True)
class CareerParse:
    """The parsed career (`ParsedCareer` as plain JSON), the parts that were dropped and
    how the page was read (`CareerReading`)."""

    career: dict[str, Any]
    problems: list[ParseProblem]
    reading: CareerReading


def parse_career(html: str) -> dict[str, Any]:
    """Parse a career page; see the module docstring for the result and the error rules."""
    return parse_career_report(html).career


def parse_career_report(html: str, *, cut_blocks: bool = True) -> CareerParse:
    """`parse_career`, with the `ParseProblem`s of the parts it had to drop.

    `cut_blocks=False` parses every block with lexbor (`_career_cuts` reads the ones in
    Blizzard's markup from the page's text, with the same result): tests compare both."""
    PAGE.require_complete(html)
    reduced, cuts = cut(html) if cut_blocks else (html, Cuts())
    tree = LexborHTMLParser(reduced)
    if cuts.children and not cuts.placed(tree):
        tree, cuts = LexborHTMLParser(html), Cuts()
    masthead = tree.css_first("blz-section.Profile-masthead")
    if masthead is None:
        raise NotFoundError("Player not found")

    problems = Problems()
    stats: dict[str, PlatformStats | None] = dict.fromkeys(PLATFORMS)
    seasons: dict[str, int | None] = dict.fromkeys(PLATFORMS)
    for view in tree.css("div.Profile-view"):
        platform = class_value(view, _PLATFORM_CLASSES)
        if platform is None:
            detail = f"a view with classes {classes(view)}"
            problems.add("stats", "unknown_platform", detail)
        elif stats[platform] is None:  # a duplicated view: the first one wins
            stats[platform], seasons[platform] = _platform(view, platform, cuts, problems)

    career: ParsedCareer = {"summary": summary(masthead, seasons, problems), "stats": stats}
    reading: CareerReading = "text" if cuts.children else "whole"
    return CareerParse(cast(dict[str, Any], career), list(problems), reading)


# --- stats per platform and gamemode -----------------------------------------------------


def _platform(
    view: LexborNode, platform: str, cuts: Cuts, problems: Problems
) -> tuple[PlatformStats | None, int | None]:
    """One `div.Profile-view`: its gamemodes' stats (None if none has data) and the season."""
    tops, careers = _gamemode_blocks(view)

    season = None
    if "competitive" in careers:
        raw = careers["competitive"].attributes.get(_SEASON_ATTRIBUTE)
        season = int_or_none(raw)
        if raw is not None and season is None:
            problems.add(f"summary/competitive/{platform}", "unreadable_season", repr(raw))

    result: PlatformStats = {}
    for gamemode in GAMEMODES:
        where = f"{platform}/{gamemode}"
        top = _dropdown(tops.get(gamemode))
        career = _dropdown(careers.get(gamemode))
        if top is None and career is None:
            result[gamemode] = None  # "We don't have any data for this account in this mode"
            continue
        if top is None or career is None:
            missing = "heroes-comparisons" if top is None else "career-stats"
            detail = "missing while the other part has data (kept)"
            problems.add(f"{where}/{missing}", "missing_section", detail)
        result[gamemode] = {
            "heroes_comparisons": {}
            if top is None
            else comparisons(tops[gamemode], top, where, cuts, problems),
            "career_stats": {}
            if career is None
            else career_stats(careers[gamemode], career, where, cuts, problems),
        }
    if all(value is None for value in result.values()):
        return None, season
    return result, season


def _gamemode_blocks(view: LexborNode) -> tuple[dict[str, LexborNode], dict[str, LexborNode]]:
    """The first top-heroes block (`div.Profile-heroSummary--view`) and the first career
    stats section (`blz-section.stats`) of each gamemode in `view` (one selector query)."""
    tops: dict[str, LexborNode] = {}
    careers: dict[str, LexborNode] = {}
    for block in view.css(_BLOCKS):
        gamemode = class_value(block, _GAMEMODE_CLASSES)
        if gamemode is not None:
            (tops if block.tag == "div" else careers).setdefault(gamemode, block)
    return tops, careers


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
