"""Record builders, the `storage` fixture yielding every adapter of the port, and
`damage`, which makes a stored row undecodable the way each adapter can be damaged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.adapters.storage.codec import DecodeErrorObserver
from app.adapters.storage.memory import MemoryStorage
from app.adapters.storage.postgres import PostgresStorage
from app.adapters.storage.sqlite import SQLiteStorage
from app.ports import OutboxStorage, PlayerRecord, StaticRecord, Storage, UnknownPlayer

T0 = 1_700_000_000.0

ADAPTERS = [
    "sqlite-file",
    "sqlite-memory",
    "memory",
    pytest.param("postgres", marks=pytest.mark.postgres),
]


async def open_adapter(
    kind: str,
    tmp_path: Path,
    on_decode_error: DecodeErrorObserver | None = None,
    postgres_url: str = "",
) -> OutboxStorage:
    # Annotated as the port: mypy checks that every adapter satisfies the protocol (the
    # storage port, with the job queue and outbox the refresh jobs need).
    storage: OutboxStorage
    if kind == "postgres":
        storage = await PostgresStorage.open(postgres_url, on_decode_error=on_decode_error)
    elif kind == "sqlite-file":
        path = tmp_path / "data" / "owdata.db"
        storage = await SQLiteStorage.open(path, on_decode_error=on_decode_error)
    elif kind == "sqlite-memory":
        storage = await SQLiteStorage.open(":memory:", on_decode_error=on_decode_error)
    else:
        storage = MemoryStorage(on_decode_error)
    return storage


@pytest.fixture
def decode_errors() -> list[str]:
    """The tables the `storage` fixture reported undecodable rows of, in order."""
    return []


@pytest.fixture(params=ADAPTERS)
async def storage(
    request: pytest.FixtureRequest, tmp_path: Path, decode_errors: list[str]
) -> AsyncIterator[OutboxStorage]:
    # A fresh PostgreSQL database is made only for the postgres variant.
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else ""
    adapter = await open_adapter(request.param, tmp_path, decode_errors.append, url)
    yield adapter
    await adapter.close()


DAMAGED_JSON = "{not json"


async def damage(storage: Storage, table: str, key: str, column: str = "parsed") -> None:
    """Overwrite `column` of a stored row with bytes no adapter can decode.

    Goes behind the adapter's back, as a disk fault or a foreign writer would: SQL on
    SQLite's or PostgreSQL's own connection, the held JSON text for the in-memory adapter.
    """
    if isinstance(storage, SQLiteStorage):
        value: object = b"not zstd at all" if column in {"raw", "parsed"} else DAMAGED_JSON
        async with storage._pool.transaction() as conn:
            await conn.execute(f"UPDATE {table} SET {column} = ? WHERE key = ?", (value, key))
        return
    if isinstance(storage, PostgresStorage):
        damaged: object = b"not zstd at all" if column in {"raw", "parsed"} else DAMAGED_JSON
        query = f"UPDATE {table} SET {column} = $1 WHERE key = $2"
        await storage._pool.execute(query, damaged, key.encode())
        return
    assert isinstance(storage, MemoryStorage), f"no way to damage {type(storage).__name__}"
    if table == "jobs":  # a job's only decoded column is its payload
        storage.jobs._jobs[key] = replace(storage.jobs._jobs[key], payload=DAMAGED_JSON)
        return
    rows: Any = storage._static if table == "static_data" else storage._players
    rows[key] = replace(rows[key], **{column: DAMAGED_JSON})


def make_static(key: str = "heroes:en-us", **changes: Any) -> StaticRecord:
    record = StaticRecord(
        key=key,
        raw=b"<html><body>heroes</body></html>",
        parsed=[{"key": "ana", "name": "Ana", "role": "support"}],
        parser_version=1,
        fetched_at=T0,
    )
    return replace(record, **changes)


def make_player(key: str = "a1b2c3d4|e5f6", **changes: Any) -> PlayerRecord:
    """A profile keyed by `key`; a BattleTag key (with `-`) is also its `battletag`."""
    fields: dict[str, Any] = {
        "key": key,
        "battletag": key if "-" in key else "Player-1234",
        "name": "Player",
        "raw": b"<html>career</html>",
        "parsed": {"summary": {"username": "Player", "endorsement": {"level": 3}}},
        "parser_version": 2,
        "search_entry": {"battleTag": "Player#1234", "frame": None, "isPublic": True},
        "last_updated_blizzard": 1_699_999_000,
        "fetched_at": T0,
    }
    return PlayerRecord(**(fields | changes))


def make_unknown(key: str = "Nobody-1234", **changes: Any) -> UnknownPlayer:
    return replace(UnknownPlayer(key, 1, T0 + 600.0, T0), **changes)
