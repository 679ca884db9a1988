"""Player identity: what a `player_id` path segment is, and the upstream paths built from it.

A player is addressed by a BattleTag (`TeKrop-2217`, `#` written as `-`), a bare name
(`TeKrop`) or a Blizzard ID (`<hex>|<hex>`, also written `<hex>%7C<hex>`). Blizzard IDs
are kept in the `%7C` form everywhere (that is how Blizzard's search JSON spells them),
and only turned back into `|` when a URL is quoted, so nothing is ever double-encoded.

Each form is validated as what it is, by one regular expression (`PLAYER_ID_PATTERN`,
also the OpenAPI `pattern` of the parameter, so the schema says exactly what is accepted):

- a **name** is letters and digits: ASCII `0-9A-Za-z`, or non-ASCII characters of the
  Basic Multilingual Plane's scripts (`NAME_CHARACTERS`; no punctuation, symbol, space,
  control, surrogate or private-use blocks), as Blizzard allows in BattleTags;
- a **BattleTag** is a name, `-`, and ASCII digits;
- a **Blizzard ID** is hexadecimal, `|` (or `%7C`), hexadecimal;
- at most `MAX_PLAYER_ID_LENGTH` characters.

So no id contains `.`, `/`, `%` (outside `%7C`), `?` or `#`: no input can add, remove or
change a path segment of an upstream URL, and `career_path`/`search_path` check the
segment they build besides.

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
NAME_CHARACTERS = (
    r"0-9A-Za-z\u00C0-\u1FFF\u2C00-\u2DFF\u2E80-\u2FFF\u3040-\uD7FF\uF900-\uFDFF"
    r"\uFE70-\uFEFE\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF66-\uFFDC"
)
"""Letters and digits of a name: ASCII ones, and the BMP blocks of scripts from Latin-1's
letters on, leaving out General Punctuation to Miscellaneous Symbols (U+2000–U+2BFF),
Supplemental Punctuation, CJK Symbols and Punctuation (U+3000–U+303F), surrogates,
private use, variation selectors, small and fullwidth punctuation, and specials. The
same `\\uXXXX` ranges mean the same in Python and in ECMA-262 (JSON Schema) regexes."""
_NAME = f"[{NAME_CHARACTERS}]+"
_HEX = "[0-9a-fA-F]+"
NAME_PATTERN = f"^{_NAME}(?:-[0-9]+)?$"
"""A search name: a name, optionally with its BattleTag number (`TeKrop`, `TeKrop-2217`)."""
PLAYER_ID_PATTERN = f"^(?:{_NAME}(?:-[0-9]+)?|{_HEX}(?:\\||%7[cC]){_HEX})$"
"""A player id: a name, a BattleTag or a Blizzard ID."""

PATTERN_HINTS = {
    PLAYER_ID_PATTERN: "should be a BattleTag (Name-1234), a name (letters and digits) "
    "or a Blizzard ID (hex|hex)",
    NAME_PATTERN: "should be a name (letters and digits), optionally with its BattleTag "
    "number (Name-1234)",
}
"""What each pattern means, for error messages (the pattern itself is unreadable)."""

_NAME_RE = re.compile(NAME_PATTERN)
_PLAYER_ID_RE = re.compile(PLAYER_ID_PATTERN)
_BLIZZARD_ID = re.compile(r"^(?P<left>[0-9a-fA-F]+)(?:\||%7[cC])(?P<right>[0-9a-fA-F]+)$")
_CAREER_SEGMENT = re.compile(r"/career/(?P<segment>[^/]+)/?$")
CAREER_PREFIX = "/en-us/career/"
SEARCH_PREFIX = "/en-us/search/account-by-name/"


class PlayerIdKind(StrEnum):
    BATTLETAG = "battletag"
    NAME = "name"
    BLIZZARD_ID = "blizzard_id"


@dataclass(frozen=True, slots=True)
class PlayerId:
    """A validated player identifier.

    `name` is the part Blizzard's search understands (before the `-`), None for a
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


def is_blizzard_id(value: str) -> bool:
    """True for `<hex>|<hex>` in any of its spellings (`|`, `%7C`, `%7c`)."""
    return _BLIZZARD_ID.match(value) is not None


def parse_player_id(raw: str) -> PlayerId:
    """Classify and validate `raw`; raises ValueError with a client-safe message."""
    _validate(raw, _PLAYER_ID_RE, "Player id")
    match = _BLIZZARD_ID.match(raw)
    if match:
        blizzard_id = f"{match['left']}%7C{match['right']}"
        return PlayerId(raw=raw, kind=PlayerIdKind.BLIZZARD_ID, blizzard_id=blizzard_id)
    if "-" not in raw:
        return PlayerId(raw=raw, kind=PlayerIdKind.NAME, name=raw)
    # Blizzard names cannot contain `-`, so it separates the discriminator.
    name = raw.split("-", 1)[0]
    return PlayerId(raw=raw, kind=PlayerIdKind.BATTLETAG, name=name, battletag=raw)


def parse_search_name(raw: str) -> PlayerId:
    """Validate a search query (a name or a BattleTag, not a Blizzard ID)."""
    _validate(raw, _NAME_RE, "Name")
    return parse_player_id(raw)


def _validate(raw: str, pattern: re.Pattern[str], what: str) -> None:
    if not raw.strip():
        raise ValueError(f"{what} must not be empty")
    if len(raw) > MAX_PLAYER_ID_LENGTH:
        raise ValueError(f"{what} must be at most {MAX_PLAYER_ID_LENGTH} characters")
    if any(unicodedata.category(char) == "Cc" for char in raw):
        raise ValueError(f"{what} must not contain control characters")
    if pattern.fullmatch(raw) is None:
        raise ValueError(f"{what} {PATTERN_HINTS[pattern.pattern]}")


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


def is_at_path(url: str, path: str) -> bool:
    """True when the final URL of a fetch is still at `path`: no redirect moved it."""
    return unquote(urlsplit(url).path) == unquote(path)


def career_path(player_id: str | PlayerId) -> str:
    """Upstream career page path, quoted with `safe=""` (a Blizzard ID's `|` → one `%7C`)."""
    pid = player_id if isinstance(player_id, PlayerId) else parse_player_id(player_id)
    segment = pid.blizzard_id.replace("%7C", "|") if pid.blizzard_id else pid.raw
    return _one_segment_path(CAREER_PREFIX, segment)


def search_path(name: str | PlayerId) -> str:
    """Upstream search path for the name part of a BattleTag or bare name."""
    pid = name if isinstance(name, PlayerId) else parse_search_name(name)
    if pid.name is None:
        raise ValueError("A Blizzard ID cannot be searched by name")
    return _one_segment_path(SEARCH_PREFIX, pid.name)


def _one_segment_path(prefix: str, segment: str) -> str:
    """`prefix` + the quoted segment + `/`, refusing anything that is not one plain segment
    (a second line of defence: validated ids never reach these)."""
    quoted = quote(segment, safe="")
    if unquote(quoted) in {"", ".", ".."} or "/" in quoted:
        raise ValueError(f"not a single path segment: {segment!r}")
    return f"{prefix}{quoted}/"


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
