"""Canonical cache keys: normalised path plus the sorted query parameters the API knows.

Parameters no route reads are dropped, so `?x=1` cannot multiply cache entries, and
equivalent requests (`?a=1&b=2` and `?b=2&a=1`) share one entry. Every parameter the API
knows takes one value: a repeated one (`?gamemode=escort&gamemode=control`) is
ambiguous, so `cache_key` raises `RepeatedParameterError` and the request gets a 422
before any route or cache entry sees it.

Example:
    >>> cache_key("/heroes", b"role=tank&locale=fr-fr&utm=x")
    '/heroes?locale=fr-fr&role=tank'
"""

from __future__ import annotations

import re
from itertools import pairwise
from urllib.parse import parse_qsl, urlencode

KNOWN_PARAMS = frozenset(
    {
        "competitive_division",
        "gamemode",
        "hero",
        "limit",
        "locale",
        "map",
        "name",
        "offset",
        "order_by",
        "platform",
        "region",
        "role",
    }
)


class RepeatedParameterError(ValueError):
    """A known query parameter was given more than once."""

    def __init__(self, name: str, values: list[str]) -> None:
        super().__init__(f"{name} given {len(values)} times")
        self.name = name
        self.values = values


_PLAIN_PAIR = rb"[A-Za-z0-9_.~-]+(?:=[A-Za-z0-9_.~-]*)?"
_PLAIN_QUERY = re.compile(_PLAIN_PAIR + rb"(?:&" + _PLAIN_PAIR + rb")*")
"""A query string of `name=value` pairs made of characters no one encodes: its pairs are
its own text, and `urlencode` writes them back unchanged."""


def query_pairs(query_string: bytes) -> list[tuple[str, str]]:
    """The (name, value) pairs of a raw query string, decoded as starlette decodes them
    (`parse_qsl` of its latin-1 text, blank values kept); a plain one is split directly."""
    if _PLAIN_QUERY.fullmatch(query_string):
        text = query_string.decode("ascii")
        return [(name, value) for name, _, value in (p.partition("=") for p in text.split("&"))]
    return parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)


def cache_key(path: str, query_string: bytes) -> str:
    """The cache key of a request, from its decoded path and raw query string."""
    path = path.rstrip("/") or "/"
    if not query_string:
        return path
    plain = _PLAIN_QUERY.fullmatch(query_string) is not None
    pairs = sorted(pair for pair in query_pairs(query_string) if pair[0] in KNOWN_PARAMS)
    for (name, _), (next_name, _) in pairwise(pairs):
        if name == next_name:
            raise RepeatedParameterError(name, [v for n, v in pairs if n == name])
    if not pairs:
        return path
    query = "&".join(f"{n}={v}" for n, v in pairs) if plain else urlencode(pairs)
    return f"{path}?{query}"
