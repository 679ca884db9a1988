"""Heroes list page (`/{locale}/heroes/`) → the `/heroes` body (HeroShort items).

Each hero card of the gallery gives one hero; nothing is hard-coded, so a hero Blizzard
adds tomorrow is listed as soon as its card appears.

Example:
    >>> card = (
    ...     '<main><div class="heroIndexWrapper"><blz-media-gallery>'
    ...     '<a href="/heroes/ana" data-role="support" data-subrole="tactician"><blz-card>'
    ...     '<blz-image src="https://x/ana.png"></blz-image>'
    ...     '<blz-content-block><h2>Ana</h2></blz-content-block>'
    ...     '<blz-badge class="stadium-badge"></blz-badge></blz-card></a>'
    ...     "</blz-media-gallery></div></main></html>"
    ... )
    >>> parse_heroes_list(card)
    [{'key': 'ana', 'name': 'Ana', 'portrait': 'https://x/ana.png', 'role': 'support', \
'subrole': 'tactician', 'gamemodes': ['quickplay', 'stadium']}]
"""

from __future__ import annotations

from typing import Any

from app.domain.enums import HeroGamemode, Role, SubRole
from app.parsers._html import Node, PageReader

PARSER_VERSION: int = 1

_page = PageReader("heroes")
_ROLES = frozenset(role.value for role in Role)
_SUBROLES = frozenset(subrole.value for subrole in SubRole)


def parse_heroes_list(html: str) -> list[dict[str, Any]]:
    """Every hero card as `{key, name, portrait, role, subrole, gamemodes}`, sorted by key.

    `gamemodes` is `["quickplay"]`, plus `"stadium"` when the card carries the Stadium
    badge. Raises `ParseError` (page `heroes`) when the gallery or a card field is missing,
    or a card names a role/sub-role outside the API's enums.
    """
    root = _page.main_content(html)
    gallery = _page.one(root, "div.heroIndexWrapper blz-media-gallery", "gallery")
    heroes = [_hero(card) for card in gallery.css("a")]
    if not heroes:
        raise _page.error("gallery", "no hero card")
    return sorted(heroes, key=lambda hero: str(hero["key"]))


def _hero(card: Node) -> dict[str, Any]:
    # The key is the last path segment of the card's link: `/heroes/soldier-76` → `soldier-76`.
    key = _page.attr(card, "href", "hero-card").rstrip("/").rsplit("/", 1)[-1]
    if not key:
        raise _page.error("hero-card", f"no hero key in href {card.attributes.get('href')!r}")
    role = _page.attr(card, "data-role", "hero-card")
    subrole = _page.attr(card, "data-subrole", "hero-card")
    if role not in _ROLES or subrole not in _SUBROLES:
        raise _page.error("hero-card", f"unknown role {role!r}/{subrole!r} for {key!r}")
    gamemodes = [HeroGamemode.QUICKPLAY.value]
    if card.css_first("blz-card blz-badge.stadium-badge") is not None:
        gamemodes.append(HeroGamemode.STADIUM.value)
    return {
        "key": key,
        "name": _page.text(card, "blz-card blz-content-block h2", "hero-card"),
        "portrait": _page.attr(
            _page.one(card, "blz-card blz-image", "hero-card"), "src", "hero-card"
        ),
        "role": role,
        "subrole": subrole,
        "gamemodes": gamemodes,
    }
