"""The SQL the SQLite adapter runs, and how records map to and from its rows.

Kept apart from the adapter so the queries read as one document next to the schema.
Payload columns are encoded by `codec.pack` (zstd) on the way in and decoded by
`codec.unpack` (raw pages left compressed, decoded careers reused) on the way out,
which turns undecodable rows into `StorageCorruptionError`.

Example:
    >>> params = await player_params(record, now=time.time())  # doctest: +SKIP
    >>> await conn.execute(PUT_PLAYER, params)
"""

from __future__ import annotations

from typing import Any

from app.adapters.storage.codec import dump_json, load_json_column, pack, unpack
from app.adapters.storage.decoded_cache import DecodedCache
from app.ports import PlayerRecord, StaticRecord

GET_STATIC = "SELECT raw, parsed, parser_version, fetched_at FROM static_data WHERE key = ?"

PUT_STATIC = """
INSERT INTO static_data (key, raw, parsed, parser_version, fetched_at, created_at, updated_at)
VALUES (:key, :raw, :parsed, :parser_version, :fetched_at, :now, :now)
ON CONFLICT (key) DO UPDATE SET
    raw = excluded.raw,
    parsed = excluded.parsed,
    parser_version = excluded.parser_version,
    fetched_at = excluded.fetched_at,
    updated_at = excluded.updated_at
"""

_PLAYER_COLUMNS = """
    key, battletag, name, raw, parsed, parser_version, search_entry,
    last_updated_blizzard, fetched_at
"""

GET_PLAYER = f"SELECT {_PLAYER_COLUMNS} FROM player_profiles WHERE key = ?"

# A BattleTag can linger on an old row after a player renamed: the freshest row wins.
FIND_PLAYER_BY_BATTLETAG = f"""
SELECT {_PLAYER_COLUMNS} FROM player_profiles
WHERE battletag = ?
ORDER BY fetched_at DESC, key DESC
LIMIT 1
"""

# Career pages do not always carry the BattleTag or name: keep what we knew (COALESCE).
PUT_PLAYER = """
INSERT INTO player_profiles (
    key, battletag, name, raw, parsed, parser_version, search_entry,
    last_updated_blizzard, fetched_at, created_at, updated_at
) VALUES (
    :key, :battletag, :name, :raw, :parsed, :parser_version, :search_entry,
    :last_updated_blizzard, :fetched_at, :now, :now
)
ON CONFLICT (key) DO UPDATE SET
    battletag = COALESCE(excluded.battletag, player_profiles.battletag),
    name = COALESCE(excluded.name, player_profiles.name),
    raw = excluded.raw,
    parsed = excluded.parsed,
    parser_version = excluded.parser_version,
    search_entry = excluded.search_entry,
    last_updated_blizzard = excluded.last_updated_blizzard,
    fetched_at = excluded.fetched_at,
    updated_at = excluded.updated_at
"""

# Run with PUT_PLAYER, in its transaction: a Blizzard-ID-keyed record naming a BattleTag
# replaces the row keyed by that BattleTag (the profile moved; see `Storage.put_player`).
# A BattleTag-keyed record has battletag = key, so it deletes nothing.
DELETE_MOVED_PLAYER = "DELETE FROM player_profiles WHERE key = :battletag AND key <> :key"

DELETE_PLAYERS_OLDER_THAN = "DELETE FROM player_profiles WHERE fetched_at < ?"

GET_UNKNOWN = (
    "SELECT check_count, next_check_at, last_checked_at FROM unknown_players WHERE key = ?"
)

WARM_UP_READS = (GET_STATIC, GET_PLAYER, FIND_PLAYER_BY_BATTLETAG, GET_UNKNOWN)
"""The reads requests make, each taking one key: what `Storage.warm_up` runs."""
WARM_UP_KEY = "#owdata-warm-up"
"""A key no row has (keys and BattleTags never hold a `#`)."""

PUT_UNKNOWN = """
INSERT INTO unknown_players (key, check_count, next_check_at, last_checked_at)
VALUES (:key, :check_count, :next_check_at, :last_checked_at)
ON CONFLICT (key) DO UPDATE SET
    check_count = excluded.check_count,
    next_check_at = excluded.next_check_at,
    last_checked_at = excluded.last_checked_at
"""

DELETE_UNKNOWN = "DELETE FROM unknown_players WHERE key = ?"

DELETE_UNKNOWN_DUE_BEFORE = "DELETE FROM unknown_players WHERE next_check_at < ?"

COUNT_UNKNOWN = "SELECT COUNT(*) FROM unknown_players"

STATS = """
SELECT
    (SELECT COUNT(*) FROM static_data),
    (SELECT COUNT(*) FROM player_profiles),
    (SELECT COUNT(*) FROM unknown_players),
    page_count * page_size
FROM pragma_page_count(), pragma_page_size()
"""


async def static_params(record: StaticRecord, *, now: float) -> dict[str, Any]:
    raw, parsed = await pack(record.raw, record.parsed)
    return {
        "key": record.key,
        "raw": raw,
        "parsed": parsed,
        "parser_version": record.parser_version,
        "fetched_at": record.fetched_at,
        "now": now,
    }


async def static_from_row(key: str, row: Any) -> StaticRecord:
    raw_blob, parsed_blob, parser_version, fetched_at = row
    raw, parsed = await unpack("static_data", key, raw_blob, parsed_blob)
    return StaticRecord(key, raw, parsed, parser_version, fetched_at)


async def player_params(record: PlayerRecord, *, now: float) -> dict[str, Any]:
    raw, parsed = await pack(record.raw, record.parsed)
    search_entry = record.search_entry
    return {
        "key": record.key,
        "battletag": record.battletag,
        "name": record.name,
        "raw": raw,
        "parsed": parsed,
        "parser_version": record.parser_version,
        # SQL NULL stands for None, so "no entry" stays distinguishable in queries.
        "search_entry": None if search_entry is None else dump_json(search_entry),
        "last_updated_blizzard": record.last_updated_blizzard,
        "fetched_at": record.fetched_at,
        "now": now,
    }


async def player_from_row(row: Any, decoded: DecodedCache | None = None) -> PlayerRecord:
    """The record of a row: `raw` left compressed (a `RawPage`), `parsed` reused from
    `decoded` when the row holds the bytes it was decoded from."""
    key, battletag, name, raw_blob, parsed_blob, version, search, updated, fetched = row
    raw, parsed = await unpack("player_profiles", key, raw_blob, parsed_blob, decoded)
    search_entry = load_json_column("player_profiles", key, search)
    return PlayerRecord(key, battletag, name, raw, parsed, version, search_entry, updated, fetched)
