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
decimals → float, `--`/`NaN` → 0. Stat keys are the snake_case English labels, always in
the plural (`Game Won` → `games_won`). Blizzard writes a label in the singular when its value
is 1; OverFast pluralised a fixed list of them, so a few of its keys changed with the value
(`knockback_kill` next to `knockback_kills_avg_per_10_min`). Ours do not: a deliberate
difference for `knockback_kill*`, `elimination_per_life`, `ultimate_negated*` and
`amplification_matrix_assist_best_in_game`.

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

import functools
import logging
import re
import unicodedata
from typing import Any, Final, cast

from selectolax.lexbor import LexborHTMLParser, LexborNode

from app.domain.enums import CompetitiveDivision
from app.domain.errors import NotFoundError, ParseError
from app.domain.player_career import (
    ALL_HEROES,
    COMPARISON_CATEGORIES,
    GAMEMODES,
    PLATFORMS,
    RANK_ROLES,
    CareerSummary,
    Comparison,
    ComparisonValue,
    Endorsement,
    ParsedCareer,
    PlatformRanks,
    PlatformStats,
    Rank,
    Stat,
    StatCategory,
    StatValue,
)

PARSER_VERSION: int = 1

logger = logging.getLogger(__name__)

_PAGE: Final = "career"
_VIEW_CLASSES: Final = {"pc": "mouseKeyboard-view", "console": "controller-view"}
_PLATFORM_CLASSES: Final = {view_class: platform for platform, view_class in _VIEW_CLASSES.items()}
_GAMEMODE_CLASSES: Final = {"quickPlay-view": "quickplay", "competitive-view": "competitive"}
_SEASON_ATTRIBUTE: Final = "data-latestherostatrankseasonow2"
_NO_TITLE: Final = frozenset({"", "No Title"})
# Role icon file stems (upper-cased) → rank slot; Blizzard still calls damage "offense".
_ROLE_ICONS: Final = {
    "TANK": "tank",
    "DAMAGE": "damage",
    "OFFENSE": "damage",
    "SUPPORT": "support",
    "OPEN": "open",
}
_DIVISIONS: Final = frozenset(division.value for division in CompetitiveDivision)

_DURATION: Final = re.compile(r"(\d+):(\d{2})(?::(\d{2}))?")
_INTEGER: Final = re.compile(r"-?\d+")
_DECIMAL: Final = re.compile(r"-?\d*\.\d+")
_CAMEL_BOUNDARY: Final = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NOT_ALNUM: Final = re.compile(r"[^a-z0-9]")
_STAT_SUFFIXES: Final = ("_avg_per_10_min", "_most_in_game", "_most_in_life", "_best_in_game")
# Blizzard writes a label in the singular when its value is 1 ("Turret Kill", "Elimination
# per Life", "Ultimate Negated"): keys always use the plural so they do not change with the
# value. The last word of the key (before any suffix above) is pluralised…
_PLURAL_LAST_WORDS: Final = frozenset(
    {"assist", "blow", "card", "death", "elimination", "hit", "kill", "multikill", "recall", "win"}
)
# …and these whole keys, where another word carries the number.
_PLURAL_WHOLE: Final = {
    "game_won": "games_won",
    "game_lost": "games_lost",
    "game_played": "games_played",
    "game_tied": "games_tied",
    "player_knocked_back": "players_knocked_back",
    "elimination_per_life": "eliminations_per_life",
    "ultimate_negated": "ultimates_negated",
}


class _Damaged(Exception):
    """A local part of the page is malformed: the caller logs it and drops that part."""


def parse_career(html: str) -> dict[str, Any]:
    """Parse a career page; see the module docstring for the result and the error rules."""
    if _is_truncated(html):
        raise ParseError(_PAGE, "document", "the page ends before </html> (truncated download)")
    tree = LexborHTMLParser(html)
    masthead = tree.css_first("blz-section.Profile-masthead")
    if masthead is None:
        raise NotFoundError("Player not found")

    stats: dict[str, PlatformStats | None] = dict.fromkeys(PLATFORMS)
    seasons: dict[str, int | None] = dict.fromkeys(PLATFORMS)
    for view in tree.css("div.Profile-view"):
        platform = _class_value(view, _PLATFORM_CLASSES)
        if platform is None or stats[platform] is not None:
            continue  # an unknown platform, or a duplicated view: the first one wins
        stats[platform], seasons[platform] = _platform(view, platform)

    career: ParsedCareer = {"summary": _summary(masthead, seasons), "stats": stats}
    return cast(dict[str, Any], career)


def _is_truncated(html: str) -> bool:
    # Blizzard's pages always close </html>; whatever follows it is at most a few bytes.
    return "</html>" not in html[-512:].lower()


# --- summary -----------------------------------------------------------------------------


def _summary(masthead: LexborNode, seasons: dict[str, int | None]) -> CareerSummary:
    name_node = masthead.css_first("h1.Profile-player--name")
    username = _text(name_node)
    if not username:
        raise ParseError(_PAGE, "summary", "no player name (h1.Profile-player--name)")
    title = _text(masthead.css_first("h2.Profile-player--title"))
    return {
        "username": username,
        "avatar": _attr(masthead.css_first("img.Profile-player--portrait"), "src"),
        "title": None if title in _NO_TITLE else title,
        "endorsement": _endorsement(masthead.css_first("img.Profile-playerSummary--endorsement")),
        "last_updated_at": _int_or_none(masthead.attributes.get("data-lastupdate")),
        "competitive": {
            platform: _platform_ranks(masthead, platform, seasons[platform])
            for platform in PLATFORMS
        },
    }


def _endorsement(image: LexborNode | None) -> Endorsement | None:
    frame = _attr(image, "src")
    if frame is None:
        return None
    # `.../endorsement/2-8b9f0faa25.svg#icon` or `.../2.7c40f3….svg#icon` → level 2.
    digits = re.match(r"\d+", _file_name(frame))
    return {"level": int(digits.group()) if digits else 0, "frame": frame}


def _platform_ranks(
    masthead: LexborNode, platform: str, season: int | None
) -> PlatformRanks | None:
    ranks: dict[str, Rank | None] = dict.fromkeys(RANK_ROLES)
    wrapper = masthead.css_first(
        f"div.Profile-playerSummary--rankWrapper.{_VIEW_CLASSES[platform]}"
    )
    if wrapper is not None:
        for role_wrapper in wrapper.css("div.Profile-playerSummary--roleWrapper"):
            try:
                role, rank = _rank(role_wrapper)
            except _Damaged as exc:
                logger.warning(
                    "career page: dropped a rank (summary/competitive/%s): %s", platform, exc
                )
                continue
            ranks[role] = rank
    if season is None and not any(ranks.values()):
        return None
    return {
        "season": season,
        "tank": ranks["tank"],
        "damage": ranks["damage"],
        "support": ranks["support"],
        "open": ranks["open"],
    }


def _rank(role_wrapper: LexborNode) -> tuple[str, Rank]:
    # PC pages use <img src>, console pages an inline <svg><use xlink:href>.
    icon = _attr(role_wrapper.css_first("div.Profile-playerSummary--role img"), "src") or _attr(
        role_wrapper.css_first("svg.Profile-playerSummary--role use"), "xlink:href"
    )
    if icon is None:
        raise _Damaged("no role icon")
    role = _ROLE_ICONS.get(re.split(r"[-.]", _file_name(icon), maxsplit=1)[0].upper())
    if role is None:
        raise _Damaged(f"unknown role icon {icon!r}")
    images = [_attr(img, "src") for img in role_wrapper.css("img.Profile-playerSummary--rank")]
    if len(images) != 2 or images[0] is None or images[1] is None:
        raise _Damaged(f"{role}: expected a rank and a tier image, found {len(images)}")
    rank_icon, tier_icon = images[0], images[1]
    # `Rank_DiamondTier-<hash>.png`, `Rank_DiamondTier.<hash>.png`, `goldtier.<hash>`.
    stem = re.split(r"[-.]", _file_name(rank_icon), maxsplit=1)[0]
    division = stem.rsplit("_", 1)[-1].lower().removesuffix("tier")
    # `TierDivision_4.<hash>.png` → 4.
    tier_digits = re.match(r"\d+", _file_name(tier_icon).rsplit("_", 1)[-1])
    tier = int(tier_digits.group()) if tier_digits else 0
    if division not in _DIVISIONS or not 1 <= tier <= 5:
        # OverFast returned tier 0 / unknown divisions and failed its own validation (500).
        raise _Damaged(f"{role}: unreadable division/tier in {rank_icon!r}, {tier_icon!r}")
    return role, {
        "division": division,
        "tier": tier,
        "role_icon": icon,
        "rank_icon": rank_icon,
        "tier_icon": tier_icon,
    }


# --- stats per platform and gamemode -----------------------------------------------------


def _platform(view: LexborNode, platform: str) -> tuple[PlatformStats | None, int | None]:
    """One `div.Profile-view`: its gamemodes' stats (None if none has data) and the season."""
    comparisons: dict[str, LexborNode] = {}
    for block in view.css("div.Profile-heroSummary--view"):
        gamemode = _class_value(block, _GAMEMODE_CLASSES)
        if gamemode is not None:
            comparisons.setdefault(gamemode, block)
    careers: dict[str, LexborNode] = {}
    for block in view.css("blz-section.stats"):
        gamemode = _class_value(block, _GAMEMODE_CLASSES)
        if gamemode is not None:
            careers.setdefault(gamemode, block)

    season = None
    if "competitive" in careers:
        raw = careers["competitive"].attributes.get(_SEASON_ATTRIBUTE)
        season = _int_or_none(raw)
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
            raise ParseError(_PAGE, f"{where}/{missing}", "missing while the other part has data")
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
        label = option.attributes.get("option-id") or _text(option)
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
        key = stat_key(label)
        try:
            values = [_comparison_value(bar) for bar in bars.css("div.Profile-progressBar")]
        except _Damaged as exc:
            logger.warning("career page: dropped %s/heroes-comparisons/%s: %s", where, key, exc)
            continue
        if values:
            result[key] = {"label": COMPARISON_CATEGORIES.get(key, label), "values": values}
    return result


def _comparison_value(bar: LexborNode) -> ComparisonValue:
    hero_node = bar.css_first("[data-hero-id]")
    hero = _attr(hero_node, "data-hero-id") or hero_key(
        _text(bar.css_first(".Profile-progressBar-title"))
    )
    raw = _text(bar.css_first(".Profile-progressBar-description"))
    if not hero:
        raise _Damaged("a bar without hero")
    try:
        return {"hero": hero, "value": convert_value(raw)}
    except ValueError as exc:
        raise _Damaged(str(exc)) from exc


def _career_stats(
    section: LexborNode, heroes: dict[str, str], where: str
) -> dict[str, list[StatCategory]]:
    # Hero blocks are `<span class="stats-container option-N">`, N = the dropdown's value.
    hero_by_class = {f"option-{value}": hero_key(label) for value, label in heroes.items()}
    result: dict[str, list[StatCategory]] = {}
    for block in section.css("span.stats-container"):
        option = next((c for c in _classes(block) if c.startswith("option-")), "")
        hero = hero_by_class.get(option)
        if not hero:
            logger.warning(
                "career page: %s/career-stats: block %r not in the dropdown", where, option
            )
            continue
        try:
            categories = _hero_categories(block, f"{where}/career-stats/{hero}")
        except _Damaged as exc:
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
            classes = _classes(row)
            if "header" in classes:
                label = _text(row)
            elif "stat-item" in classes:
                stat = _stat_row(row, where)
                if stat is not None:
                    stats.append(stat)
        if not label and stats:
            raise _Damaged("a stats card without a header")
        if stats:
            categories.append({"category": stat_key(label), "label": label, "stats": stats})
    return categories


def _stat_row(row: LexborNode, where: str) -> Stat | None:
    cells = list(row.iter())
    if len(cells) < 2:
        raise _Damaged(f"a stat row with {len(cells)} cell(s)")
    label, raw = _text(cells[0]), _text(cells[-1])
    if not label:
        raise _Damaged("a stat row without a label")
    try:
        value = convert_value(raw)
    except ValueError as exc:
        logger.warning("career page: dropped stat %r in %s: %s", label, where, exc)
        return None
    return {"key": stat_key(label), "label": label, "value": value}


# --- values and names --------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)  # small numbers and short durations repeat a lot
def convert_value(raw: str) -> StatValue:
    """A displayed stat → number; ValueError when it is not one.

    >>> [convert_value(v) for v in ["1,616", "87%", "3.13", "01:06", "371:15:48", "--"]]
    [1616, 87, 3.13, 66, 1336548, 0]
    """
    text = raw.strip().replace(",", "")
    if text in {"--", "NaN"}:
        return 0
    number = text.removesuffix("%")
    if _INTEGER.fullmatch(number):
        return int(number)
    if _DECIMAL.fullmatch(number):
        return float(number)
    duration = _DURATION.fullmatch(text)
    if duration:
        first, second, third = duration.groups()
        if third is None:  # MM:SS
            return int(first) * 60 + int(second)
        return int(first) * 3600 + int(second) * 60 + int(third)
    raise ValueError(f"not a number: {raw!r}")


@functools.lru_cache(maxsize=4096)  # a page repeats a few hundred labels thousands of times
def stat_key(label: str) -> str:
    """English stat label → stat key: OverFast's snake_case, always in the plural.

    >>> stat_key("Turret Kill - Most in Game"), stat_key("Game Won"), stat_key("Multikill - Best")
    ('turret_kills_most_in_game', 'games_won', 'multikill_best')
    """
    text = _ascii(label).replace("- ", "")
    # Every space becomes "_": a doubled space in Blizzard's label gives "__" like OverFast.
    key = _NOT_ALNUM.sub("_", _CAMEL_BOUNDARY.sub("_", text).lower()).strip("_")
    suffix = next((s for s in _STAT_SUFFIXES if key.endswith(s) and key != s), "")
    base = key.removesuffix(suffix) if suffix else key
    if base in _PLURAL_WHOLE:
        base = _PLURAL_WHOLE[base]
    elif base.rsplit("_", 1)[-1] in _PLURAL_LAST_WORDS:
        base += "s"
    return base + suffix


@functools.lru_cache(maxsize=1024)
def hero_key(name: str) -> str:
    """Displayed hero name → hero key.

    >>> [hero_key(n) for n in ["Soldier: 76", "D.Va", "Lúcio", "Wrecking Ball", "ALL HEROES"]]
    ['soldier-76', 'dva', 'lucio', 'wrecking-ball', 'all-heroes']
    """
    text = _ascii(name).lower().replace(".", "").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


# --- small node helpers ------------------------------------------------------------------


def _classes(node: LexborNode) -> list[str]:
    return (node.attributes.get("class") or "").split()


def _class_value(node: LexborNode, mapping: dict[str, str]) -> str | None:
    return next((mapping[c] for c in _classes(node) if c in mapping), None)


def _text(node: LexborNode | None) -> str:
    return node.text(deep=True).strip() if node is not None else ""


def _attr(node: LexborNode | None, name: str) -> str | None:
    value = (node.attributes.get(name) or "").strip() if node is not None else ""
    return value or None


def _file_name(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _int_or_none(raw: str | None) -> int | None:
    text = (raw or "").strip()
    return int(text) if _INTEGER.fullmatch(text) else None
