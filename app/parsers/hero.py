"""Hero page (`/{locale}/heroes/{key}/`) → the `/heroes/{key}` body, minus two fields.

`portrait` (from the heroes list) and `hitpoints` (curated data) are added by the service;
everything else comes from the page: the page header here, the other sections in
`_hero_sections`.

Example (a real page is needed for a full result):
    >>> page = "<html><main><h2>Page Not Found</h2></main></html>"
    >>> parse_hero(page, locale="en-us", site_url="https://x")
    Traceback (most recent call last):
    ...
    app.domain.errors.NotFoundError: Hero not found or not released yet
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any

from app.domain.enums import BackgroundImageSize, Role, SubRole
from app.domain.errors import NotFoundError
from app.parsers import _hero_sections as sections
from app.parsers._html import Node, PageReader, classes, text_of, url_stem

PARSER_VERSION: int = 1
HERO_NOT_FOUND = "Hero not found or not released yet"

_page = PageReader("hero")
_ROLES = frozenset(role.value for role in Role)
_SUBROLES = frozenset(subrole.value for subrole in SubRole)
_SIZES = frozenset(size.value for size in BackgroundImageSize)
# "Jan 1 (Age: 62)", "Aug 6 (Age : 26)", "1月1日（年齢：62歳）": ASCII or full-width punctuation.
_BIRTHDAY_AGE = re.compile(r"^(?P<birthday>.*?)\s*[(（][^:：]*[:：]\s*(?P<age>\d+)[^)）]*[)）]\s*$")
# What Blizzard writes instead of a date when a hero's birthday is unknown, per locale.
UNKNOWN_BIRTHDAY: MappingProxyType[str, str] = MappingProxyType(
    {
        "de-de": "Unbekannt",
        "en-gb": "Unknown",
        "en-us": "Unknown",
        "es-es": "Desconocido",
        "es-mx": "Desconocido",
        "fr-fr": "Inconnu",
        "it-it": "Sconosciuto",
        "ja-jp": "不明",
        "ko-kr": "알 수 없음",
        "pl-pl": "Nieznane",
        "pt-br": "Desconhecido",
        "ru-ru": "Неизвестно",
        "zh-tw": "未知",
    }
)


def parse_hero(html: str, *, locale: str, site_url: str) -> dict[str, Any]:
    """`{name, description, backgrounds, role, subrole, location, age, birthday, abilities,
    perks, stadium_powers, story}` in the API's key order.

    `stadium_powers` is None for a hero not in Stadium, `perks` None when the page has no
    perks section; `site_url` prefixes relative story links. Raises `NotFoundError` when
    the page has no abilities (Blizzard's 404 page, or a hero not released yet) and
    `ParseError` (page `hero`, section named) when a section is broken or the page is
    truncated (so a cut-off hero page is never mistaken for Blizzard's 404 page).
    """
    root = _page.main_content(html)
    abilities = root.css_first("div.abilities-container")
    if abilities is None:
        raise NotFoundError(HERO_NOT_FOUND)
    return {
        **_page_header(_page.one(root, "blz-page-header", "page-header"), locale),
        "abilities": sections.abilities(abilities),
        "perks": sections.perks(root),
        "stadium_powers": sections.stadium_powers(root),
        "story": sections.story(root, site_url),
    }


def _page_header(header: Node, locale: str) -> dict[str, Any]:
    heading = _page.one(header, "blz-header", "page-header")
    # The details list: role, subrole, location and birthday items, told apart by class.
    items = {name: item for item in header.css("blz-list blz-list-item") for name in classes(item)}
    # A missing or unreadable birthday is not an error: both fields become null.
    birthday_item = items.get("birthday")
    birthday_p = birthday_item.css_first("p") if birthday_item is not None else None
    birthday, age = _birthday_and_age(text_of(birthday_p) if birthday_p is not None else "", locale)
    return {
        "name": _page.text(heading, "h2", "page-header"),
        "description": _page.text(heading, "p", "page-header"),
        "backgrounds": [_background(image) for image in header.css("blz-image[slot=background]")],
        "role": _role(items, "role", _ROLES),
        "subrole": _role(items, "subrole", _SUBROLES),
        "location": _page.text(_item(items, "location"), "p", "page-header"),
        "age": age,
        "birthday": birthday,
    }


def _item(items: dict[str, Node], name: str) -> Node:
    if name not in items:
        raise _page.error("page-header", f"no {name!r} item in the hero details list")
    return items[name]


def _role(items: dict[str, Node], name: str, known: frozenset[str]) -> str:
    # Blizzard only shows an icon: its file name is the key (`.../Support.svg` → `support`).
    icon = _page.attr(
        _page.one(_item(items, name), "blz-icon", "page-header"), "src", "page-header"
    )
    key = url_stem(icon)
    if key not in known:
        raise _page.error("page-header", f"unknown {name} icon {icon!r}")
    return key


def _background(image: Node) -> dict[str, Any]:
    # Unknown breakpoint names are dropped rather than failing the API's size enum.
    sizes = (image.attributes.get("bp") or "").split()
    return {
        "url": _page.attr(image, "src", "page-header"),
        "sizes": [size for size in sizes if size in _SIZES],
    }


def _birthday_and_age(text: str, locale: str) -> tuple[str | None, int | None]:
    """`("Jan 1", 62)` from `"Jan 1 (Age: 62)"`; the locale's "Unknown" gives a None
    birthday; text that does not match gives `(None, None)`."""
    match = _BIRTHDAY_AGE.match(text)
    if match is None:
        return None, None
    birthday = match["birthday"].strip()
    age = int(match["age"])
    unknown = birthday == UNKNOWN_BIRTHDAY.get(locale, UNKNOWN_BIRTHDAY["en-us"])
    return (None if unknown or not birthday else birthday), (age if age >= 1 else None)
