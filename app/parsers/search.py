"""Player search: Blizzard's `/search/account-by-name/<name>/` JSON → the `/players` body.

`parse_search` validates the array and normalises each account; `search_players` keeps the
public accounts whose name matches and builds OverFast's `{total, results}` page.

Malformed input: a payload that is not JSON or not an array raises `ParseError`; a single
odd entry (not an object, no string `name`/`url`) is skipped so one bad account does not hide
the others, but if *every* entry is bad Blizzard changed the format and `ParseError` is
raised. Optional fields of the wrong type become None.

Example:
    >>> entries = parse_search('[{"name": "TeKrop", "isPublic": true, "url": "ab|cd"}]')
    >>> body = search_players(entries, name="TeKrop", order_by="name:asc", offset=0,
    ...                       limit=20, app_base_url="https://example.org")
    >>> body["total"], body["results"][0]["player_id"]
    (1, 'ab%7Ccd')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.domain.errors import ParseError
from app.domain.player_ids import normalize_blizzard_id
from app.parsers._json import load_json

PARSER_VERSION = 2
ORDER_FIELDS = frozenset({"player_id", "name", "last_updated_at"})
_NO_TITLE = frozenset({"", "No Title"})


def parse_search(payload: str | bytes) -> list[dict[str, Any]]:
    """Blizzard's search array → `[{name, blizzard_id, battletag, is_public, last_updated,
    avatar, namecard, title}]`, in Blizzard's order.

    `battletag` (`Name-1234`) is set only when Blizzard's entry names it (`battleTag`,
    `Name#1234`, as its search did until 2025), else None."""
    data = load_json(payload, "search")
    if not isinstance(data, list):
        raise ParseError("search", "root", f"expected an array, got {type(data).__name__}")
    entries = [_entry(raw) for raw in data]
    valid = [entry for entry in entries if entry is not None]
    if data and not valid:
        raise ParseError("search", "entries", "no entry has a string 'name' and 'url'")
    return valid


def _entry(raw: object) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    name, url = raw.get("name"), raw.get("url")
    if not isinstance(name, str) or not name or not isinstance(url, str) or not url:
        return None
    # Legacy entries carry `portrait` instead of avatar/namecard/title: those are unusable.
    legacy = "portrait" in raw
    last_updated = raw.get("lastUpdated")
    return {
        "name": name,
        "blizzard_id": normalize_blizzard_id(url),
        "battletag": _battletag(raw.get("battleTag")),
        "is_public": raw.get("isPublic") if isinstance(raw.get("isPublic"), bool) else None,
        "last_updated": last_updated if _is_int(last_updated) else None,
        "avatar": None if legacy else _text(raw.get("avatar")),
        "namecard": None if legacy else _text(raw.get("namecard")),
        "title": None if legacy else _title(raw.get("title")),
    }


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _battletag(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    name, _, number = value.partition("#")
    return f"{name}-{number}" if name and number.isdigit() else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _title(value: object) -> str | None:
    # Blizzard sends either a plain string or one translation per locale; we answer in en_US.
    if isinstance(value, dict):
        value = value.get("en_US")
    if not isinstance(value, str) or value in _NO_TITLE:
        return None
    return value


def search_players(
    entries: Sequence[Mapping[str, Any]],
    *,
    name: str,
    order_by: str,
    offset: int,
    limit: int,
    app_base_url: str,
    verified: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Build the `/players` body from parsed entries.

    Matches are public entries whose name equals (case-sensitively, like OverFast) the part
    of `name` before the first `-`. `player_id` is the Blizzard ID, except that a BattleTag
    query is echoed for the entry whose Blizzard ID `verified[name]` names: OverFast echoes
    the query whenever there is a single match, even with a wrong discriminator.
    """
    field, direction = _order(order_by)
    if offset < 0 or limit < 1:
        raise ValueError("offset must be >= 0 and limit >= 1")
    name_part = name.split("-", 1)[0]
    known_id = (verified or {}).get(name) if "-" in name else None
    verified_id = normalize_blizzard_id(known_id) if known_id else None
    base = app_base_url.rstrip("/")
    players = [
        _player_short(entry, name if entry["blizzard_id"] == verified_id else None, base)
        for entry in entries
        if entry["name"] == name_part and entry["is_public"] is True
    ]
    # Sort non-null values, then append nulls (in either direction) instead of crashing.
    present = [player for player in players if player[field] is not None]
    missing = [player for player in players if player[field] is None]
    present.sort(key=lambda player: player[field], reverse=direction == "desc")
    ordered = present + missing
    return {"total": len(ordered), "results": ordered[offset : offset + limit]}


def _order(order_by: str) -> tuple[str, str]:
    field, _, direction = order_by.partition(":")
    if field not in ORDER_FIELDS or direction not in {"asc", "desc"}:
        raise ValueError(f"Invalid order_by {order_by!r}")
    return field, direction


def _player_short(entry: Mapping[str, Any], battletag: str | None, base: str) -> dict[str, Any]:
    player_id = battletag or entry["blizzard_id"]
    return {
        "player_id": player_id,
        "name": entry["name"],
        "avatar": entry["avatar"],
        "namecard": entry["namecard"],
        "title": entry["title"],
        "career_url": f"{base}/players/{player_id}",
        "blizzard_id": entry["blizzard_id"],
        "last_updated_at": entry["last_updated"],
        "is_public": entry["is_public"],
    }
