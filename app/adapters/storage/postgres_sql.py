"""The SQL the PostgreSQL adapter runs for records, and how records map to its rows.

The statements mirror `sqlite_rows` one for one (same upsert rules: a None BattleTag or
name keeps the stored one; the freshest profile wins a BattleTag). Text identifiers are
stored as UTF-8 `bytea` (see `postgres_schema`): `b()` encodes them, `s()` decodes.

Example:
    >>> args = await static_args(record, now=time.time())  # doctest: +SKIP
    >>> await conn.execute(PUT_STATIC, *args)
"""

from __future__ import annotations

from typing import Any

from app.adapters.storage.codec import dump_json, load_json_column, pack, unpack
from app.adapters.storage.decoded_cache import DecodedCache
from app.adapters.storage.errors import StorageCorruptionError
from app.ports import PlayerRecord, StaticRecord, UnknownPlayer

GET_STATIC = "SELECT raw, parsed, parser_version, fetched_at FROM static_data WHERE key = $1"

PUT_STATIC = """
INSERT INTO static_data (key, raw, parsed, parser_version, fetched_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $6)
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

GET_PLAYER = f"SELECT {_PLAYER_COLUMNS} FROM player_profiles WHERE key = $1"

FIND_PLAYER_BY_BATTLETAG = f"""
SELECT {_PLAYER_COLUMNS} FROM player_profiles
WHERE battletag = $1
ORDER BY fetched_at DESC, key DESC
LIMIT 1
"""

PUT_PLAYER = """
INSERT INTO player_profiles (
    key, battletag, name, raw, parsed, parser_version, search_entry,
    last_updated_blizzard, fetched_at, created_at, updated_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
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
DELETE_MOVED_PLAYER = "DELETE FROM player_profiles WHERE key = $2 AND key <> $1"

DELETE_PLAYERS_OLDER_THAN = "DELETE FROM player_profiles WHERE fetched_at < $1"

GET_UNKNOWN = (
    "SELECT check_count, next_check_at, last_checked_at FROM unknown_players WHERE key = $1"
)

WARM_UP_READS = (GET_STATIC, GET_PLAYER, FIND_PLAYER_BY_BATTLETAG, GET_UNKNOWN)
"""The reads requests make, each taking one key: what `Storage.warm_up` runs."""
WARM_UP_KEY = "#owdata-warm-up"
"""A key no row has (keys and BattleTags never hold a `#`)."""

PUT_UNKNOWN = """
INSERT INTO unknown_players (key, check_count, next_check_at, last_checked_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (key) DO UPDATE SET
    check_count = excluded.check_count,
    next_check_at = excluded.next_check_at,
    last_checked_at = excluded.last_checked_at
"""

DELETE_UNKNOWN = "DELETE FROM unknown_players WHERE key = ANY($1::bytea[])"

DELETE_UNKNOWN_DUE_BEFORE = "DELETE FROM unknown_players WHERE next_check_at < $1"

COUNT_UNKNOWN = "SELECT COUNT(*) FROM unknown_players"

STATS = """
SELECT
    (SELECT COUNT(*) FROM static_data),
    (SELECT COUNT(*) FROM player_profiles),
    (SELECT COUNT(*) FROM unknown_players),
    pg_total_relation_size('static_data') + pg_total_relation_size('player_profiles')
        + pg_total_relation_size('unknown_players') + pg_total_relation_size('jobs')
"""


def b(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogatepass")


def nb(text: str | None) -> bytes | None:
    return None if text is None else b(text)


def s(table: str, blob: bytes | None) -> str | None:
    if blob is None:
        return None
    try:
        return blob.decode("utf-8", errors="surrogatepass")
    except UnicodeDecodeError as exc:
        raise StorageCorruptionError(
            table, repr(blob[:64]), f"identifier is not UTF-8: {exc}"
        ) from exc


def ss(table: str, blob: bytes) -> str:
    text = s(table, blob)
    assert text is not None
    return text


async def static_args(record: StaticRecord, *, now: float) -> tuple[Any, ...]:
    raw, parsed = await pack(record.raw, record.parsed)
    return (b(record.key), raw, parsed, record.parser_version, float(record.fetched_at), now)


async def static_from_row(key: str, row: Any) -> StaticRecord:
    raw_blob, parsed_blob, parser_version, fetched_at = row
    raw, parsed = await unpack("static_data", key, raw_blob, parsed_blob)
    return StaticRecord(key, raw, parsed, parser_version, fetched_at)


async def player_args(record: PlayerRecord, *, now: float) -> tuple[Any, ...]:
    raw, parsed = await pack(record.raw, record.parsed)
    search = record.search_entry
    return (
        b(record.key),
        nb(record.battletag),
        nb(record.name),
        raw,
        parsed,
        record.parser_version,
        None if search is None else dump_json(search),
        record.last_updated_blizzard,
        float(record.fetched_at),
        now,
    )


def moved_args(player_args: tuple[Any, ...]) -> tuple[Any, ...]:
    """`DELETE_MOVED_PLAYER`'s arguments (key, battletag) from `player_args`' result."""
    return player_args[0], player_args[1]


async def player_from_row(row: Any, decoded: DecodedCache | None = None) -> PlayerRecord:
    """The record of a row: `raw` left compressed (a `RawPage`), `parsed` reused from
    `decoded` when the row holds the bytes it was decoded from (as `sqlite_rows`)."""
    key_blob, tag_blob, name_blob, raw_blob, parsed_blob, version, search, updated, fetched = row
    table = "player_profiles"
    key = ss(table, key_blob)
    raw, parsed = await unpack(table, key, raw_blob, parsed_blob, decoded)
    search_entry = load_json_column(table, key, search)
    return PlayerRecord(
        key,
        s(table, tag_blob),
        s(table, name_blob),
        raw,
        parsed,
        version,
        search_entry,
        updated,
        fetched,
    )


def unknown_args(status: UnknownPlayer) -> tuple[Any, ...]:
    times = (float(status.next_check_at), float(status.last_checked_at))
    return (b(status.key), int(status.check_count), *times)
