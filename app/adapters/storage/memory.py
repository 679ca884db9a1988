"""The `Storage` port in dicts: for unit tests of services, and as the reference behaviour.

It passes the same conformance suite as `SQLiteStorage` and matches it in everything a
caller can observe: `parsed` and `search_entry` are kept as JSON text, so values are
normalised the same way (tuples come back as lists) and every read returns fresh
objects that callers may mutate freely; upserts keep a known BattleTag and name; a
closed storage raises `StorageClosedError`; a row whose JSON cannot be decoded reads as
absent (`codec.UnreadableRows`). Only `stats().size_bytes` is an estimate
(the bytes held), since there is no file.

Example:
    >>> storage = MemoryStorage()
    >>> await storage.put_unknown_player(UnknownPlayer("Foo-1234", 1, 60.0, 0.0))  # doctest: +SKIP
    >>> await storage.count_unknown_players()  # doctest: +SKIP
    1
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

from app.adapters.storage.codec import (
    DecodeErrorObserver,
    UnreadableRows,
    dump_json,
    load_json_column,
)
from app.adapters.storage.errors import StorageClosedError
from app.adapters.storage.memory_jobs import MemoryJobQueue
from app.adapters.storage.outbox import PendingWrites
from app.ports import PlayerRecord, StaticRecord, StorageStats, UnknownPlayer, read_raw


@dataclass(frozen=True, slots=True)
class _Stored[R: (StaticRecord, PlayerRecord)]:
    """A record whose JSON fields are held as text, so nobody shares mutable state."""

    record: R  # with parsed/search_entry set to None; the JSON text lives below
    parsed: str
    search_entry: str | None = None

    @property
    def size(self) -> int:
        assert isinstance(self.record.raw, bytes)  # put_player stores the page's bytes
        return len(self.record.raw) + len(self.parsed) + len(self.search_entry or "")


class MemoryStorage:
    def __init__(self, on_decode_error: DecodeErrorObserver | None = None) -> None:
        self._rows = UnreadableRows(on_decode_error)
        self._static: dict[str, _Stored[StaticRecord]] = {}
        self._players: dict[str, _Stored[PlayerRecord]] = {}
        self._unknown: dict[str, UnknownPlayer] = {}
        self._closed = False
        self.jobs = MemoryJobQueue(self._ensure_open, self._rows)
        """The job queue (`app.ports.JobQueue`), closed with this storage."""

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[PendingWrites]:
        """Like `SQLiteStorage.transaction`: all the block's writes and jobs, or none."""
        self._ensure_open()
        pending = PendingWrites()
        yield pending
        saved = dict(self._static), dict(self._players), dict(self._unknown), self.jobs.snapshot()
        try:
            await pending.apply(self, self.jobs)
        except BaseException:  # put back what the writes before the failing one changed
            self._static, self._players, self._unknown, jobs = saved
            self.jobs.restore(jobs)
            raise

    def _ensure_open(self) -> None:
        if self._closed:
            raise StorageClosedError

    async def warm_up(self) -> None:
        """Nothing to prepare: every read is a dict lookup."""
        self._ensure_open()

    async def get_static(self, key: str) -> StaticRecord | None:
        self._ensure_open()
        stored = self._static.get(key)
        return None if stored is None else await self._rows.absent(self._decode_static(stored))

    @staticmethod
    async def _decode_static(stored: _Stored[StaticRecord]) -> StaticRecord:
        parsed = load_json_column("static_data", stored.record.key, stored.parsed)
        return replace(stored.record, parsed=parsed)

    async def put_static(self, record: StaticRecord) -> None:
        self._ensure_open()
        parsed = dump_json(record.parsed)  # first: a TypeError must leave nothing behind
        raw = await read_raw(record.raw)
        bare = replace(record, raw=raw, parsed=None, fetched_at=float(record.fetched_at))
        self._static[record.key] = _Stored(bare, parsed)

    async def get_player(self, key: str) -> PlayerRecord | None:
        self._ensure_open()
        stored = self._players.get(key)
        return None if stored is None else await self._rows.absent(self._player(stored))

    async def find_player_by_battletag(self, battletag: str) -> PlayerRecord | None:
        """The most recently fetched profile with this exact BattleTag."""
        self._ensure_open()
        matches = [s for s in self._players.values() if s.record.battletag == battletag]
        if not matches:
            return None
        # Same order as SQLite's `ORDER BY fetched_at DESC, key DESC`.
        newest = max(matches, key=lambda s: (s.record.fetched_at, s.record.key))
        return await self._rows.absent(self._player(newest))

    @staticmethod
    async def _player(stored: _Stored[PlayerRecord]) -> PlayerRecord:
        key = stored.record.key
        return replace(
            stored.record,
            parsed=load_json_column("player_profiles", key, stored.parsed),
            search_entry=load_json_column("player_profiles", key, stored.search_entry),
        )

    async def put_player(self, record: PlayerRecord) -> None:
        """Upsert; a None `battletag` or `name` keeps the stored value. A Blizzard-ID-keyed
        record naming a BattleTag replaces the row keyed by that BattleTag (it moved)."""
        self._ensure_open()
        parsed = dump_json(record.parsed)
        search = None if record.search_entry is None else dump_json(record.search_entry)
        raw = await read_raw(record.raw)
        battletag, name = record.battletag, record.name
        if (previous := self._players.get(record.key)) is not None:
            battletag = previous.record.battletag if battletag is None else battletag
            name = previous.record.name if name is None else name
        bare = replace(
            record,
            battletag=battletag,
            name=name,
            raw=bytes(raw),
            parsed=None,
            search_entry=None,
            fetched_at=float(record.fetched_at),
        )
        self._players[record.key] = _Stored(bare, parsed, search)
        if record.battletag is not None and record.battletag != record.key:
            self._players.pop(record.battletag, None)

    async def delete_players_older_than(self, cutoff: float) -> int:
        self._ensure_open()
        old = [key for key, s in self._players.items() if s.record.fetched_at < cutoff]
        for key in old:
            del self._players[key]
        return len(old)

    async def get_unknown_player(self, key: str) -> UnknownPlayer | None:
        self._ensure_open()
        return self._unknown.get(key)  # frozen and all-scalar: sharing it is safe

    async def put_unknown_player(self, status: UnknownPlayer) -> None:
        self._ensure_open()
        # Same types as SQLite's REAL columns return, even when given ints.
        self._unknown[status.key] = replace(
            status,
            next_check_at=float(status.next_check_at),
            last_checked_at=float(status.last_checked_at),
        )

    async def clear_unknown_player(self, *keys: str) -> None:
        self._ensure_open()
        for key in keys:
            self._unknown.pop(key, None)

    async def delete_unknown_players_due_before(self, cutoff: float) -> int:
        self._ensure_open()
        due = [key for key, status in self._unknown.items() if status.next_check_at < cutoff]
        for key in due:
            del self._unknown[key]
        return len(due)

    async def count_unknown_players(self) -> int:
        self._ensure_open()
        return len(self._unknown)

    async def stats(self) -> StorageStats:
        """Row counts per table; `size_bytes` is the payload bytes held (an estimate)."""
        self._ensure_open()
        size = sum(s.size for s in self._static.values())
        size += sum(s.size for s in self._players.values())
        rows = {
            "static_data": len(self._static),
            "player_profiles": len(self._players),
            "unknown_players": len(self._unknown),
        }
        return StorageStats(size_bytes=size, rows=rows)

    async def close(self) -> None:
        """Refuse further use, like the SQLite adapter; safe to call more than once."""
        self._closed = True
