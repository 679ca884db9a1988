"""Career-page values and names: displayed stat → number, label → stat key, name → hero key
(and `int_or_none` for numeric attributes).

Pure and memoised (a career page repeats a few hundred labels and small numbers thousands
of times). Used by `app.parsers.career`, which re-exports the three public functions.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

from app.domain.player_career import StatValue

_INTEGER: Final = re.compile(r"-?\d+")
# Blizzard writes some durations signed ("-00:00"): a negative duration counts as 0.
_DURATION: Final = re.compile(r"([-+]?)(\d+):(\d{2})(?::(\d{2}))?")
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


@functools.lru_cache(maxsize=8192)  # small numbers and short durations repeat a lot
def convert_value(raw: str) -> StatValue:
    """A displayed stat → number; ValueError when it is not one.

    >>> [convert_value(v) for v in ["1,616", "87%", "3.13", "01:06", "371:15:48", "--", "-00:00"]]
    [1616, 87, 3.13, 66, 1336548, 0, 0]
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
        sign, first, second, third = duration.groups()
        if third is None:  # MM:SS
            seconds = int(first) * 60 + int(second)
        else:
            seconds = int(first) * 3600 + int(second) * 60 + int(third)
        return 0 if sign == "-" else seconds
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


def int_or_none(raw: str | None) -> int | None:
    """An attribute holding a whole number → int; None when absent or not one."""
    value = (raw or "").strip()
    return int(value) if _INTEGER.fullmatch(value) else None


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
