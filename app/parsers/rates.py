"""Hero pick/win rates: Blizzard's `/rates/data/` JSON → the `/heroes/stats` body.

Flow for the service: build the query with `rates_query` for each `rq` in
`RQ_CANDIDATES[gamemode]`, fetch, `parse_rates`, then `selection_mismatch(sent, selected)`:
`"rq"` → try the next candidate (all failed → error); `"map"` → 400 (map not played in that
gamemode); any other name → log only (OverFast does not check them, and the test upstream
echoes fixed filters); None → `hero_stats(parsed["rates"], role=..., order_by=...)`.

Hero keys are plain strings (no enum), so heroes Blizzard adds flow through unchanged.

Example:
    >>> parsed = parse_rates('{"rates": {"selected": {"rq": "1"}, "rates": [{"id": "ana",'
    ...     ' "cells": {"pickrate": 22.3, "winrate": -1}, "hero": {"role": "SUPPORT"}}]}}')
    >>> hero_stats(parsed["rates"], role="support", order_by="hero:asc")
    [{'hero': 'ana', 'pickrate': 22.3, 'winrate': 0.0}]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from app.domain.errors import ParseError
from app.parsers._json import load_json

PARSER_VERSION = 1
RQ_CANDIDATES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"quickplay": ("0",), "competitive": ("1", "2")}
)
_INPUTS = MappingProxyType({"pc": "PC", "console": "Console"})
_REGIONS = MappingProxyType({"europe": "Europe", "americas": "Americas", "asia": "Asia"})
_ORDER_FIELDS = frozenset({"hero", "pickrate", "winrate"})


def parse_rates(payload: str | bytes) -> dict[str, Any]:
    """`{"selected": {filter: str}, "rates": [{hero, pickrate, winrate, role}]}`.

    Accepts the 2026-05 form (`{"rates": {"selected", "rates", ...}}`) and the older
    unwrapped one (`{"selected", "rates": [...]}`). Negative rates (Blizzard's `-1` for
    "not enough data") become 0.0.
    """
    data = load_json(payload, "rates")
    if not isinstance(data, dict):
        raise ParseError("rates", "root", f"expected an object, got {type(data).__name__}")
    body = data["rates"] if isinstance(data.get("rates"), dict) else data
    selected, rows = body.get("selected"), body.get("rates")
    if not isinstance(selected, dict):
        raise ParseError("rates", "selected", "missing or not an object")
    if not isinstance(rows, list):
        raise ParseError("rates", "rates", "missing or not an array")
    return {
        "selected": {str(key): str(value) for key, value in selected.items()},
        "rates": [_rate(row, index) for index, row in enumerate(rows)],
    }


def _rate(row: object, index: int) -> dict[str, Any]:
    # Strict per row: silently dropping a hero would publish a plausible but wrong table.
    section = f"rates[{index}]"
    if not isinstance(row, dict):
        raise ParseError("rates", section, "not an object")
    key, cells, hero = row.get("id"), row.get("cells"), row.get("hero")
    if not isinstance(key, str) or not key:
        raise ParseError("rates", section, "missing hero 'id'")
    if not isinstance(cells, dict) or not isinstance(hero, dict):
        raise ParseError("rates", section, f"{key}: missing 'cells' or 'hero'")
    role = hero.get("role")
    if not isinstance(role, str) or not role:
        raise ParseError("rates", section, f"{key}: missing 'hero.role'")
    return {
        "hero": key,
        "pickrate": _rate_value(cells.get("pickrate"), section, key),
        "winrate": _rate_value(cells.get("winrate"), section, key),
        "role": role.lower(),
    }


def _rate_value(value: object, section: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParseError("rates", section, f"{key}: rate {value!r} is not a number")
    return max(float(value), 0.0)


def hero_stats(
    rates: Sequence[Mapping[str, Any]], *, role: str | None, order_by: str
) -> list[dict[str, Any]]:
    """The `/heroes/stats` items: optional role filter, then `order_by` (`field:asc|desc`).

    Ties keep hero-key order in both directions, as OverFast's stable sort does.
    """
    field, _, direction = order_by.partition(":")
    if field not in _ORDER_FIELDS or direction not in {"asc", "desc"}:
        raise ValueError(f"Invalid order_by {order_by!r}")
    items = [
        {"hero": rate["hero"], "pickrate": rate["pickrate"], "winrate": rate["winrate"]}
        for rate in sorted(rates, key=lambda rate: str(rate["hero"]))
        if role is None or rate["role"] == role
    ]
    return sorted(items, key=lambda item: item[field], reverse=direction == "desc")


def rates_query(
    *,
    platform: str,
    gamemode: str,
    region: str,
    map_key: str | None,
    competitive_division: str | None,
    rq: str,
) -> dict[str, str]:
    """Blizzard's query parameters, e.g. `{"input": "PC", "rq": "1", "region": "Europe",
    "map": "all-maps", "tier": "All"}`; `tier` only for competitive."""
    if platform not in _INPUTS or region not in _REGIONS or gamemode not in RQ_CANDIDATES:
        raise ValueError(f"Unknown platform/region/gamemode {platform}/{region}/{gamemode}")
    query = {
        "input": _INPUTS[platform],
        "rq": str(rq),
        "region": _REGIONS[region],
        "map": str(map_key) if map_key else "all-maps",  # str(): an enum member → its value
    }
    if gamemode == "competitive":
        query["tier"] = competitive_division.capitalize() if competitive_division else "All"
    return query


def selection_mismatch(sent: Mapping[str, str], selected: Mapping[str, str]) -> str | None:
    """The first sent filter Blizzard did not echo back, checking `rq`, then `map`, then the rest.

    A missing echo counts as a mismatch only for `rq`: that id silently changes meaning on
    Blizzard's side, so it must be confirmed; other filters are only compared when echoed.
    """
    order = [key for key in ("rq", "map") if key in sent]
    order += [key for key in sent if key not in order]
    for key in order:
        echoed = selected.get(key)
        if echoed is None:
            if key == "rq":
                return key
            continue
        if echoed.casefold() != sent[key].casefold():
            return key
    return None
