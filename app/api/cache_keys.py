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
    return _read_query(query_string)[0]


def _read_query(query_string: bytes) -> tuple[list[tuple[str, str]], bool]:
    """`query_pairs`, and whether the query string was plain (`_PLAIN_QUERY`)."""
    if _PLAIN_QUERY.fullmatch(query_string):
        text = query_string.decode("ascii")
        pairs = [(name, value) for name, _, value in (p.partition("=") for p in text.split("&"))]
        return pairs, True
    return parse_qsl(query_string.decode("latin-1"), keep_blank_values=True), False


def cache_key(path: str, query_string: bytes) -> str:
    """The cache key of a request, from its decoded path and raw query string."""
    path = path.rstrip("/") or "/"
    if not query_string:
        return path
    read, plain = _read_query(query_string)
    pairs = sorted(pair for pair in read if pair[0] in KNOWN_PARAMS)
    for (name, _), (next_name, _) in pairwise(pairs):
        if name == next_name:
            raise RepeatedParameterError(name, [v for n, v in pairs if n == name])
    if not pairs:
        return path
    query = "&".join(f"{n}={v}" for n, v in pairs) if plain else urlencode(pairs)
    return f"{path}?{query}"
