"""In-process `Cache` adapter: a TTL-aware LRU bounded by the bytes it holds.

Used when no Valkey is configured, or as a small per-process cache. The entries, their
sizes and their eviction are `BytesLru`'s (`lru.py`); this adds the `Cache` port around
it. `get_nowait` runs on every cached request: a dict lookup, one clock read and a
`move_to_end`.

Example:
    cache = MemoryCache(max_bytes=64 * 1024 * 1024)
    await cache.set("heroes:en-us", body, ttl=3600)
    body = await cache.get("heroes:en-us")  # None once expired or evicted
"""

from __future__ import annotations

import time
from collections.abc import Callable

from app.adapters.cache.lru import ENTRY_OVERHEAD, BytesLru, entry_size

__all__ = ["ENTRY_OVERHEAD", "MemoryCache", "entry_size"]


class MemoryCache:
    """A least-recently-used byte cache with per-entry TTLs, living in this process.

    `clock` must be monotonic (seconds); tests inject a manual one to expire entries
    without sleeping. All methods are `async` only to satisfy the `Cache` port: none of
    them awaits, so each runs atomically with respect to other tasks.
    """

    get_nowait_is_final = True
    """`get_nowait` holds everything `get` could answer: its None is a miss."""

    def __init__(
        self,
        *,
        max_bytes: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._entries = BytesLru(max_bytes=max_bytes, clock=clock)
        self.get_nowait = self._entries.get
        """`get` without a coroutine: the response cache calls it on every hit."""

    @property
    def entry_count(self) -> int:
        """Entries held, including expired ones not purged yet (for metrics)."""
        return self._entries.entry_count

    @property
    def byte_size(self) -> int:
        """Total size of the entries held, as `entry_size` counts it (for metrics)."""
        return self._entries.byte_size

    async def get(self, key: str) -> bytes | None:
        return self._entries.get(key)

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store `value` for `ttl` seconds, evicting least-recently-used entries to fit.

        `ttl <= 0` (or NaN) stores nothing and leaves any current entry alone, as the port
        says. A value larger than `max_bytes` is not stored either, but it does remove
        the current entry: the caller meant to replace it, so keeping it would serve data
        the caller considers outdated.
        """
        if ttl > 0:
            self._entries.put(key, value, ttl)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.drop(key)

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with `prefix` (matched literally); count live ones.

        Expired entries are removed too but not counted, as Valkey would not count them.
        This scans every key: it is meant for rare invalidations, not the request path.
        """
        return self._entries.drop_prefix(prefix)

    async def close(self) -> None:
        """Drop every entry; the cache stays usable (and empty) afterwards."""
        self._entries.clear()
