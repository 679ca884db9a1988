"""Player identity: what a `player_id` path segment is, and the upstream paths built from it.

A player is addressed by a BattleTag (`TeKrop-2217`, `#` written as `-`), a bare name
(`TeKrop`) or a Blizzard ID (`<hex>|<hex>`, also written `<hex>%7C<hex>`). Blizzard IDs
are kept in the `%7C` form everywhere (that is how Blizzard's search JSON spells them),
and only turned back into `|` when a URL is quoted, so nothing is ever double-encoded.

Example:
    >>> pid = parse_player_id("c65b8798|cfe9dd77")
    >>> pid.kind.value, pid.blizzard_id
    ('blizzard_id', 'c65b8798%7Ccfe9dd77')
    >>> career_path(pid)
    '/en-us/career/c65b8798%7Ccfe9dd77/'
    >>> search_path("TeKrop-2217")
    '/en-us/search/account-by-name/TeKrop/'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, unquote, urlsplit

MAX_PLAYER_ID_LENGTH = 64
_BLIZZARD_ID = re.compile(r"^(?P<left>[0-9a-fA-F]+)(?:\||%7[cC])(?P<right>[0-9a-fA-F]+)$")
_CAREER_SEGMENT = re.compile(r"/career/(?P<segment>[^/]+)/?$")


class PlayerIdKind(StrEnum):
    BATTLETAG = "battletag"
    NAME = "name"
    BLIZZARD_ID = "blizzard_id"


@dataclass(frozen=True, slots=True)
class PlayerId:
    """A validated player identifier.

    `name` is the part Blizzard's search understands (before the first `-`), None for a
    Blizzard ID; `battletag` is set for BattleTags only; `blizzard_id` (in `%7C` form)
    for Blizzard IDs only.
    """

    raw: str
    kind: PlayerIdKind
    name: str | None = None
    battletag: str | None = None
    blizzard_id: str | None = None


def normalize_blizzard_id(value: str) -> str:
    """`a|b`, `a%7cb` or `a%7Cb` → `a%7Cb`, the single form used for keys and comparisons."""
    return value.replace("%7c", "%7C").replace("|", "%7C")


def parse_player_id(raw: str) -> PlayerId:
    """Classify and validate `raw`; raises ValueError with a client-safe message."""
    _validate(raw)
    match = _BLIZZARD_ID.match(raw)
    if match:
        blizzard_id = f"{match['left']}%7C{match['right']}"
        return PlayerId(raw=raw, kind=PlayerIdKind.BLIZZARD_ID, blizzard_id=blizzard_id)
    if "-" not in raw:
        return PlayerId(raw=raw, kind=PlayerIdKind.NAME, name=raw)
    # Blizzard names cannot contain `-`, so the first one separates the discriminator.
    name, discriminator = raw.split("-", 1)
    if not name or not discriminator:
        raise ValueError(f"Invalid BattleTag {raw!r}: expected Name-1234")
    return PlayerId(raw=raw, kind=PlayerIdKind.BATTLETAG, name=name, battletag=raw)


def _validate(raw: str) -> None:
    if not raw.strip():
        raise ValueError("Player id must not be empty")
    if len(raw) > MAX_PLAYER_ID_LENGTH:
        raise ValueError(f"Player id must be at most {MAX_PLAYER_ID_LENGTH} characters")
    if any(unicodedata.category(char) == "Cc" for char in raw):
        raise ValueError("Player id must not contain control characters")
    if "/" in raw or "\\" in raw:
        raise ValueError("Player id must not contain '/' or '\\'")


def blizzard_id_from_career_url(url: str) -> str | None:
    """The Blizzard ID (`%7C` form) at the end of a career URL, else None.

    Blizzard redirects `/career/<BattleTag>/` to `/career/<blizzard id>/`; a URL still
    naming a BattleTag (no redirect happened) yields None.
    """
    match = _CAREER_SEGMENT.search(urlsplit(url).path)
    if match is None:
        return None
    id_match = _BLIZZARD_ID.match(unquote(match["segment"]))
    return f"{id_match['left']}%7C{id_match['right']}" if id_match else None


def career_path(player_id: str | PlayerId) -> str:
    """Upstream career page path, quoted with `safe=""` (a Blizzard ID's `|` → one `%7C`)."""
    pid = player_id if isinstance(player_id, PlayerId) else parse_player_id(player_id)
    segment = pid.blizzard_id.replace("%7C", "|") if pid.blizzard_id else pid.raw
    return f"/en-us/career/{quote(segment, safe='')}/"


def search_path(name: str | PlayerId) -> str:
    """Upstream search path for the name part of a BattleTag or bare name."""
    pid = name if isinstance(name, PlayerId) else parse_player_id(name)
    if pid.name is None:
        raise ValueError("A Blizzard ID cannot be searched by name")
    return f"/en-us/search/account-by-name/{quote(pid.name, safe='')}/"


def unknown_player_backoff(check_count: int, *, initial: int, multiplier: int, maximum: int) -> int:
    """Seconds before an unknown player is checked again: initial × multiplier^(n−1), capped.

    With initial=600, multiplier=3, maximum=21600: 600, 1800, 5400, 16200, 21600, 21600…
    """
    if check_count < 1:
        raise ValueError("check_count starts at 1")
    if initial < 1 or multiplier < 1 or maximum < 1:
        raise ValueError("initial, multiplier and maximum must be positive")
    delay = initial
    # Multiply step by step and stop at the cap: a huge check_count never builds a bigint.
    for _ in range(check_count - 1):
        if delay >= maximum or multiplier == 1:
            break
        delay *= multiplier
    return min(delay, maximum)
