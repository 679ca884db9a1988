"""Career-page values and names: displayed stat → number, name → hero key (and
`int_or_none` for numeric attributes); labels → keys are in `_stat_keys`.

Pure and memoised (a career page repeats a few hundred labels and small numbers thousands
of times). Used by `app.parsers.career`, which re-exports the public functions.
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
