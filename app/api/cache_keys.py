"""Canonical cache keys: normalised path plus the sorted query parameters the API knows.

Parameters no route reads are dropped, so `?x=1` cannot multiply cache entries, and
equivalent requests (`?a=1&b=2` and `?b=2&a=1`) share one entry. A repeated parameter
keeps its last value only, as the routes read it (every parameter is a single value):
`?gamemode=escort&gamemode=control` is answered for `control`, and keyed so.

Example:
    >>> cache_key("/heroes", b"role=tank&locale=fr-fr&utm=x")
    '/heroes?locale=fr-fr&role=tank'
    >>> cache_key("/maps", b"gamemode=escort&gamemode=control")
    '/maps?gamemode=control'
"""

from __future__ import annotations

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


def cache_key(path: str, query_string: bytes) -> str:
    """The cache key of a request, from its decoded path and raw query string."""
    path = path.rstrip("/") or "/"
    if not query_string:
        return path
    last = {
        name: value
        for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
        if name in KNOWN_PARAMS
    }
    return f"{path}?{urlencode(sorted(last.items()))}" if last else path
