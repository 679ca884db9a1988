"""Ports: what services need from the outside world, as `typing.Protocol`s.

Adapters under `app/adapters/` implement them; each adapter of a port passes the same
conformance suite under `tests/`. Services depend on these protocols only.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

JSONValue = Any
"""Plain data as produced by `json.loads`: dict, list, str, int, float, bool or None."""


class Cache(Protocol):
    """A byte cache with per-entry TTLs (in-process or Valkey)."""

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store `value` under `key` for `ttl` seconds (ttl <= 0 stores nothing)."""
        ...

    async def delete(self, *keys: str) -> None: ...

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with `prefix`; return how many were deleted."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class StaticRecord:
    """A static upstream page as stored: the raw page and what the parser made of it."""

    key: str
    raw: bytes
    parsed: JSONValue
    parser_version: int
    fetched_at: float


@dataclass(frozen=True, slots=True)
class PlayerRecord:
    """A player profile keyed by Blizzard ID, with the raw career page it was parsed from."""

    blizzard_id: str
    battletag: str | None
    name: str | None
    raw: bytes
    parsed: JSONValue
    parser_version: int
    search_entry: JSONValue
    last_updated_blizzard: int | None
    fetched_at: float


@dataclass(frozen=True, slots=True)
class UnknownPlayer:
    """Durable backoff state of a player Blizzard does not know."""

    key: str
    check_count: int
    next_check_at: float
    last_checked_at: float


@dataclass(frozen=True, slots=True)
class StorageStats:
    size_bytes: int
    rows: Mapping[str, int] = field(default_factory=dict)


class Storage(Protocol):
    """Durable storage of upstream pages, player profiles and unknown-player backoff."""

    async def get_static(self, key: str) -> StaticRecord | None: ...

    async def put_static(self, record: StaticRecord) -> None: ...

    async def get_player(self, blizzard_id: str) -> PlayerRecord | None: ...

    async def find_player_by_battletag(self, battletag: str) -> PlayerRecord | None: ...

    async def put_player(self, record: PlayerRecord) -> None: ...

    async def delete_players_older_than(self, cutoff: float) -> int:
        """Remove profiles fetched before `cutoff` (unix seconds); return how many."""
        ...

    async def get_unknown_player(self, key: str) -> UnknownPlayer | None: ...

    async def put_unknown_player(self, status: UnknownPlayer) -> None: ...

    async def clear_unknown_player(self, *keys: str) -> None: ...

    async def count_unknown_players(self) -> int: ...

    async def stats(self) -> StorageStats: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    status: int
    content: bytes
    url: str
    """Final URL after redirects were followed."""

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class Upstream(Protocol):
    """The Blizzard site. Raises `app.domain.errors.UpstreamError` subclasses on trouble."""

    async def get(
        self,
        path: str,
        *,
        page_type: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        accept_statuses: frozenset[int] = frozenset({200}),
    ) -> UpstreamResponse:
        """GET `path` (absolute path on the upstream host, already percent-encoded).

        `page_type` is a bounded label for metrics and logs (`heroes`, `career`, ...).
        A status outside `accept_statuses` raises `UpstreamStatusError`.
        """
        ...

    async def close(self) -> None: ...


class Clock(Protocol):
    def __call__(self) -> float:
        """Current unix time in seconds."""
        ...


class FlightLock(Protocol):
    """Cross-process exclusion for upstream fetches of one key (single-flight).

    `hold(key)` returns once this process may fetch `key`: immediately when no other
    process holds it, else when the holder released it or `wait` seconds passed.
    Callers re-check storage after acquiring, so a follower usually finds the data the
    leader stored and makes no upstream call at all.
    """

    def hold(self, key: str) -> AbstractAsyncContextManager[None]: ...

    async def close(self) -> None: ...
