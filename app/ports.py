"""Ports: what services need from the outside world, as `typing.Protocol`s.

Adapters under `app/adapters/` implement them; each adapter of a port passes the same
conformance suite under `tests/`. Services depend on these protocols only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

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


class UnreadablePageError(Exception):
    """A stored raw page could not be decoded when read (damage, a foreign writer)."""


class PageCodec(Protocol):
    """How an adapter holds raw pages (e.g. zstd frames), for `RawPage`."""

    def decode(self, data: bytes) -> bytes:
        """The page; raises `UnreadablePageError` if `data` cannot be decoded."""
        ...

    async def read(self, data: bytes) -> bytes:
        """Same as `decode`, off the event loop when `data` is big."""
        ...


class RawPage:
    """A raw page as a storage adapter read it back, still in its stored encoding.

    Only a re-parse needs the page, so reading a record does not decode it: `read()` does
    (and raises `UnreadablePageError` if the stored bytes are damaged). Writing such a
    record back lets the adapter store `encoded` as it is when `codec` is its own.
    Compares equal to the bytes it decodes to (decoding them), and to an equal page.

        >>> page = await storage_record.raw.read()  # doctest: +SKIP
    """

    __slots__ = ("codec", "encoded")

    def __init__(self, encoded: bytes, codec: PageCodec) -> None:
        self.encoded = encoded
        self.codec = codec

    async def read(self) -> bytes:
        return await self.codec.read(self.encoded)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RawPage):
            other = other.codec.decode(other.encoded)
        if not isinstance(other, bytes):
            return NotImplemented
        return self.codec.decode(self.encoded) == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RawPage({len(self.encoded)} encoded bytes)"


async def read_raw(raw: bytes | RawPage) -> bytes:
    """The page bytes of a record's `raw`, whichever form it has."""
    return raw if isinstance(raw, bytes) else await raw.read()


@dataclass(frozen=True, slots=True)
class StaticRecord:
    """A static upstream page as stored: the raw page and what the parser made of it.

    As read from storage, `raw` may be a `RawPage` (decoded by `read_raw` when a re-parse
    needs it)."""

    key: str
    raw: bytes | RawPage
    parsed: JSONValue
    parser_version: int
    fetched_at: float


@dataclass(frozen=True, slots=True)
class PlayerRecord:
    """A player profile, with the raw career page it was parsed from.

    `key` is what the profile is stored under, one of two disjoint forms:

    - a **Blizzard ID** (`<hex>%7C<hex>`, never containing `-`): Blizzard redirected the
      BattleTag's career URL to it, or the profile was asked for by it;
    - a **BattleTag** (`Name-1234`, always containing `-`): Blizzard served the career
      page at the BattleTag's own URL without redirecting to a Blizzard ID. Then
      `battletag` must equal `key` (checked on construction).

    A `-` in `key` therefore tells which form it is (`blizzard_id` is None for a
    BattleTag key). When a later fetch does redirect, the profile moves to its Blizzard
    ID: see `Storage.put_player`.

    As read from storage, `raw` may be a `RawPage` (decoded by `read_raw` when a re-parse
    needs it), and `parsed` may be shared with other readers of the same stored profile
    (an adapter keeps recently decoded profiles): treat it as read-only.
    """

    key: str
    battletag: str | None
    name: str | None
    raw: bytes | RawPage
    parsed: JSONValue
    parser_version: int
    search_entry: JSONValue
    last_updated_blizzard: int | None
    fetched_at: float

    def __post_init__(self) -> None:
        if "-" in self.key and self.battletag != self.key:
            raise ValueError(f"a BattleTag-keyed profile must carry it: {self.key!r}")

    @property
    def blizzard_id(self) -> str | None:
        """The Blizzard ID (`%7C` form) if the profile is keyed by one, else None."""
        return None if "-" in self.key else self.key


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

    async def get_player(self, key: str) -> PlayerRecord | None:
        """The profile stored under exactly `key` (a Blizzard ID or a BattleTag).

        Its `parsed` is read-only (possibly shared, see `PlayerRecord`); `search_entry`
        is the caller's."""
        ...

    async def find_player_by_battletag(self, battletag: str) -> PlayerRecord | None:
        """The profile whose `battletag` is exactly `battletag` (the one keyed by it, or one
        keyed by the Blizzard ID it redirected to); the most recently fetched wins (ties:
        the greatest key)."""
        ...

    async def put_player(self, record: PlayerRecord) -> None:
        """Upsert under `record.key`; a None `battletag` or `name` keeps the stored value.

        Moving a profile: when `record` is keyed by a Blizzard ID and `record.battletag`
        is set, a row keyed by that BattleTag is deleted **in the same write** (the
        BattleTag now redirects to this Blizzard ID, so its BattleTag-keyed copy is
        superseded). No reader ever sees both rows or neither. The same holds for
        `Outbox.put_player`.
        """
        ...

    async def delete_players_older_than(self, cutoff: float) -> int:
        """Remove profiles fetched before `cutoff` (unix seconds); return how many."""
        ...

    async def get_unknown_player(self, key: str) -> UnknownPlayer | None: ...

    async def put_unknown_player(self, status: UnknownPlayer) -> None: ...

    async def clear_unknown_player(self, *keys: str) -> None: ...

    async def delete_unknown_players_due_before(self, cutoff: float) -> int:
        """Remove unknown-player rows whose `next_check_at` is before `cutoff` (unix
        seconds); return how many. Retention: nobody asked for them since their backoff
        ended (a request then would have checked Blizzard and updated or cleared them)."""
        ...

    async def count_unknown_players(self) -> int: ...

    async def stats(self) -> StorageStats: ...

    async def warm_up(self) -> None:
        """Make the first reads as cheap as the next ones: each connection that serves
        reads runs each request-path read once (loading the schema, preparing the
        statement), for a key no row has. Called before the server accepts requests;
        neither timed nor counted as an operation."""
        ...

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


# --- refresh jobs ------------------------------------------------------------------------
# Ports of the durable refresh queue: `JobQueue`, the `Outbox` and storages offering both.
#
# Jobs are rows in storage keyed by the entity they refresh (`static:hero:ana:en-us`,
# `player:<PlayerRecord.key>`), so the key is the deduplication: a key already queued or running
# is never queued twice, and nothing expires or is wiped at start-up (OverFast's Valkey
# list with `SET NX EX` dedup keys lost every queued task on restart).
#
# A job's life: `enqueue` → queued → `claim` → running (with a lease) → `complete` → done,
# or `fail` → queued again at `retry_at`, or dead. A running job whose lease expired (its
# worker died) is claimed again by anyone. `complete`/`fail` only apply while the caller
# still holds the lease, so a worker that lost its lease cannot overwrite a newer run.
#
# Example:
#     >>> await queue.enqueue("player:TeKrop-2217", "refresh_player",
#     ...                     {"player_id": "TeKrop-2217"}, run_at=time.time())  # doctest: +SKIP
#     True
#     >>> job = await queue.claim("worker-1#1", lease_seconds=60, now=time.time())
#     >>> await queue.complete(job.key, "worker-1#1")
#     True

JobState = Literal["queued", "running", "done", "dead"]
JOB_STATES: tuple[JobState, ...] = ("queued", "running", "done", "dead")

MAX_ERROR_CHARS = 2000
"""`last_error` is cut to this length, so a huge exception text cannot bloat a row."""


@dataclass(frozen=True, slots=True)
class Job:
    """One job row. `attempts` counts claims, so the first run sees `attempts == 1`."""

    key: str
    kind: str
    payload: JSONValue
    state: JobState
    attempts: int
    run_at: float
    lease_until: float | None
    lease_owner: str | None
    last_error: str | None
    created_at: float
    updated_at: float


class JobQueue(Protocol):
    """Durable jobs, deduplicated by key, leased to one worker at a time (across processes)."""

    async def enqueue(self, key: str, kind: str, payload: JSONValue, *, run_at: float) -> bool:
        """Queue a job; False if `key` is already queued or running (left untouched).

        A `done` or `dead` row is re-armed: new kind and payload, attempts back to 0.
        """
        ...

    async def get(self, key: str) -> Job | None: ...

    async def claim(self, owner: str, *, lease_seconds: float, now: float) -> Job | None:
        """Atomically take one due job and lease it to `owner` until `now + lease_seconds`.

        First a running job whose lease expired (its worker died), else the queued job with
        the smallest `run_at <= now` (ties by key). `owner` should be unique per claim (a
        lease token), so two runs in one process cannot be confused either.
        """
        ...

    async def extend_lease(self, key: str, owner: str, *, lease_seconds: float, now: float) -> bool:
        """Push the lease to `now + lease_seconds`; False if `owner` no longer holds the job."""
        ...

    async def complete(self, key: str, owner: str) -> bool:
        """Mark done; False (and no change) unless the job is running under `owner`."""
        ...

    async def fail(self, key: str, owner: str, error: str, *, retry_at: float | None) -> bool:
        """Queue again at `retry_at`, or mark dead when it is None; owner-checked like
        `complete`. `error` is kept in `last_error` for operators."""
        ...

    async def counts(self) -> dict[JobState, int]:
        """Jobs per state, every state present (zeros included), for metrics."""
        ...

    async def purge_done(self, older_than: float) -> int:
        """Delete done jobs last updated before `older_than`; return how many."""
        ...

    async def purge_dead(self, older_than: float) -> int:
        """Delete dead jobs last updated (failed for the last time) before `older_than`;
        return how many. Queued, running and done jobs are left alone."""
        ...


class Outbox(Protocol):
    """Writes buffered by `OutboxStorage.transaction()`, applied all together or not at all.

    The methods only record: nothing is written (and no lock is held) until the
    `async with` block exits without an exception.
    """

    def put_static(self, record: StaticRecord) -> None: ...

    def put_player(self, record: PlayerRecord) -> None: ...

    def put_unknown_player(self, status: UnknownPlayer) -> None: ...

    def clear_unknown_player(self, *keys: str) -> None:
        """Same as `Storage.clear_unknown_player`, in the transaction (applied after the
        block's `put_unknown_player` calls)."""
        ...

    def enqueue(self, key: str, kind: str, payload: JSONValue, *, run_at: float) -> None:
        """Same rules as `JobQueue.enqueue`; the keys actually queued are listed in
        `enqueued` after the block."""
        ...

    @property
    def enqueued(self) -> list[str]: ...


class OutboxStorage(Storage, Protocol):
    """A storage holding its own job queue, writing records and jobs atomically.

    Example (serve a stale entry, record the bookkeeping and queue its refresh at once):
        >>> async with storage.transaction() as tx:  # doctest: +SKIP
        ...     tx.put_static(reparsed_record)
        ...     tx.enqueue("heroes:en-us", "refresh_heroes", {}, run_at=now)
    """

    @property
    def jobs(self) -> JobQueue: ...

    def transaction(self) -> AbstractAsyncContextManager[Outbox]: ...


# --- moving an instance ------------------------------------------------------------------


class StorageExport(Protocol):
    """Reads everything a storage holds, in key order and in batches (bounded memory).

    Used by `owdata storage copy` to move an instance (SQLite to PostgreSQL, or between
    servers). Pending jobs are the queued and running ones; done and dead jobs are history
    and are not exported.
    """

    async def counts(self) -> dict[str, int]:
        """Rows per exported kind: `static_data`, `player_profiles`, `unknown_players`,
        `jobs` (pending only)."""
        ...

    def static(self) -> AsyncIterator[StaticRecord]: ...

    def players(self) -> AsyncIterator[PlayerRecord]: ...

    def unknown_players(self) -> AsyncIterator[UnknownPlayer]: ...

    def pending_jobs(self) -> AsyncIterator[Job]: ...
