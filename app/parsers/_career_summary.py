"""The career page's masthead → `CareerSummary` (name, avatar, title, endorsement, ranks).

Only a missing player name is fatal (`ParseError(section="summary")`); an unreadable rank
is recorded in `problems` (and logged) and that role becomes null.
"""

from __future__ import annotations

import re
from typing import Final

from selectolax.lexbor import LexborNode

from app.domain.enums import CompetitiveDivision
from app.domain.player_career import (
    PLATFORMS,
    RANK_ROLES,
    CareerSummary,
    Endorsement,
    PlatformRanks,
    Rank,
)
from app.parsers._career_nodes import PAGE, VIEW_CLASSES, Damaged, Problems, attr, text
from app.parsers._html import file_name
from app.parsers._stat_names import int_or_none

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


def summary(
    masthead: LexborNode, seasons: dict[str, int | None], problems: Problems
) -> CareerSummary:
    """The masthead's summary; `seasons` is each platform's competitive season (or None)."""
    username = text(masthead.css_first("h1.Profile-player--name"))
    if not username:
        raise PAGE.error("summary", "no player name (h1.Profile-player--name)")
    title = text(masthead.css_first("h2.Profile-player--title"))
    return {
        "username": username,
        "avatar": attr(masthead.css_first("img.Profile-player--portrait"), "src"),
        "title": None if title in _NO_TITLE else title,
        "endorsement": _endorsement(masthead.css_first("img.Profile-playerSummary--endorsement")),
        "last_updated_at": int_or_none(masthead.attributes.get("data-lastupdate")),
        "competitive": {
            platform: _platform_ranks(masthead, platform, seasons[platform], problems)
            for platform in PLATFORMS
        },
    }


def _endorsement(image: LexborNode | None) -> Endorsement | None:
    frame = attr(image, "src")
    if frame is None:
        return None
    # `.../endorsement/2-8b9f0faa25.svg#icon` or `.../2.7c40f3….svg#icon` → level 2.
    digits = re.match(r"\d+", file_name(frame))
    return {"level": int(digits.group()) if digits else 0, "frame": frame}


def _platform_ranks(
    masthead: LexborNode, platform: str, season: int | None, problems: Problems
) -> PlatformRanks | None:
    ranks: dict[str, Rank | None] = dict.fromkeys(RANK_ROLES)
    wrapper = masthead.css_first(f"div.Profile-playerSummary--rankWrapper.{VIEW_CLASSES[platform]}")
    if wrapper is not None:
        for role_wrapper in wrapper.css("div.Profile-playerSummary--roleWrapper"):
            try:
                role, rank = _rank(role_wrapper)
            except Damaged as exc:
                problems.add(f"summary/competitive/{platform}", "unreadable_rank", str(exc))
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
    icon = attr(role_wrapper.css_first("div.Profile-playerSummary--role img"), "src") or attr(
        role_wrapper.css_first("svg.Profile-playerSummary--role use"), "xlink:href"
    )
    if icon is None:
        raise Damaged("no role icon")
    role = _ROLE_ICONS.get(re.split(r"[-.]", file_name(icon), maxsplit=1)[0].upper())
    if role is None:
        raise Damaged(f"unknown role icon {icon!r}")
    images = [attr(img, "src") for img in role_wrapper.css("img.Profile-playerSummary--rank")]
    if len(images) != 2 or images[0] is None or images[1] is None:
        raise Damaged(f"{role}: expected a rank and a tier image, found {len(images)}")
    rank_icon, tier_icon = images[0], images[1]
    # `Rank_DiamondTier-<hash>.png`, `Rank_DiamondTier.<hash>.png`, `goldtier.<hash>`.
    stem = re.split(r"[-.]", file_name(rank_icon), maxsplit=1)[0]
    division = stem.rsplit("_", 1)[-1].lower().removesuffix("tier")
    # `TierDivision_4.<hash>.png` → 4.
    tier_digits = re.match(r"\d+", file_name(tier_icon).rsplit("_", 1)[-1])
    tier = int(tier_digits.group()) if tier_digits else 0
    if division not in _DIVISIONS or not 1 <= tier <= 5:
        # OverFast returned tier 0 / unknown divisions and failed its own validation (500).
        raise Damaged(f"{role}: unreadable division/tier in {rank_icon!r}, {tier_icon!r}")
    return role, {
        "division": division,
        "tier": tier,
        "role_icon": icon,
        "rank_icon": rank_icon,
        "tier_icon": tier_icon,
    }
