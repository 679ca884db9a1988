"""Scrape-time gauges: state read when Prometheus asks, never a value left over from
whenever something last changed.

`GaugeSources` says where each value comes from (storage stats, refresh queue depth,
throttle state, the in-process cache); `read_sources` reads them concurrently, each
within `timeout`, into a `GaugeSnapshot` that `app.metrics.collectors` exposes. A source
that fails or times out is left out of that scrape (its series disappear and
`owdata_scrape_source_up{source}` is 0) rather than repeating an old value.

Example:
    >>> sources = GaugeSources(storage=storage.stats, memory_cache=memory_cache)
    >>> snapshot = await read_sources(sources)  # doctest: +SKIP
    >>> snapshot.storage.size_bytes  # doctest: +SKIP
    81920
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.ports import StorageStats

logger = logging.getLogger(__name__)


class CacheSize(Protocol):
    """What the in-process cache reports (`app.adapters.cache.memory.MemoryCache`)."""

    @property
    def entry_count(self) -> int: ...

    @property
    def byte_size(self) -> int: ...


@dataclass(frozen=True, slots=True)
class ThrottleState:
    delay: float
    """Current minimum spacing between upstream calls, in seconds."""
    penalty_remaining: float
    """Seconds left in the penalty window opened by a 403 (0 when none is open)."""


@dataclass(frozen=True, slots=True)
class GaugeSnapshot:
    """Values for one scrape; None means unknown (not configured, or its source failed)."""

    storage: StorageStats | None = None
    queue_depth: Mapping[str, int] | None = None
    """Jobs per state: `queued`, `running`, `dead`."""
    unknown_players: int | None = None
    memory_cache: tuple[int, int] | None = None
    """(entries, bytes) of this process's in-memory cache."""
    throttle: ThrottleState | None = None
    sources_up: Mapping[str, bool] = field(default_factory=dict)
    """Per configured source: whether it answered for this snapshot."""


@dataclass(frozen=True, slots=True)
class GaugeSources:
    """Where scrape-time values come from; leave out what this process does not have."""

    storage: Callable[[], Awaitable[StorageStats]] | None = None
    queue_depth: Callable[[], Awaitable[Mapping[Any, int]]] | None = None
    """Jobs per state, e.g. `JobQueue.counts` (`Any`: its keys are a `Literal` of str)."""
    throttle: Callable[[], Awaitable[tuple[float, float]]] | None = None
    """`(delay, penalty remaining)`, e.g. `app.services.throttle.Throttle.status`."""
    memory_cache: CacheSize | None = None
    timeout: float = 2.0
    """Seconds each source may take: a scrape must answer even when storage is stuck."""


async def read_sources(
    sources: GaugeSources, previous: GaugeSnapshot | None = None
) -> GaugeSnapshot:
    """Read every configured source concurrently and return what could be read.

    Values without a configured source are kept from `previous` (set by hooks such as
    `Metrics.throttle_state` or by `Metrics.refresh_gauges`).
    """
    previous = previous or GaugeSnapshot()
    limit = sources.timeout
    storage, queue, throttle = await asyncio.gather(
        _read("storage", sources.storage, limit),
        _read("queue_depth", sources.queue_depth, limit),
        _read("throttle", sources.throttle, limit),
    )
    checked = (
        ("storage", sources.storage, storage),
        ("queue_depth", sources.queue_depth, queue),
        ("throttle", sources.throttle, throttle),
    )
    cache = sources.memory_cache
    unknown = None if storage is None else storage.rows.get("unknown_players")
    state = None if throttle is None else ThrottleState(*throttle)
    return GaugeSnapshot(
        storage=storage if sources.storage else previous.storage,
        queue_depth=queue if sources.queue_depth else previous.queue_depth,
        unknown_players=unknown if sources.storage else previous.unknown_players,
        memory_cache=previous.memory_cache
        if cache is None
        else (cache.entry_count, cache.byte_size),
        throttle=state if sources.throttle else previous.throttle,
        sources_up={name: value is not None for name, read, value in checked if read},
    )


async def _read[T](name: str, read: Callable[[], Awaitable[T]] | None, limit: float) -> T | None:
    if read is None:
        return None
    try:
        async with asyncio.timeout(limit):
            return await read()
    except Exception as exc:  # a broken source must never fail the whole scrape
        logger.warning("metrics source %s failed: %s: %s", name, type(exc).__name__, exc)
        return None
