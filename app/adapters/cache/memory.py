"""In-process `Cache` adapter: a TTL-aware LRU bounded by the bytes it holds.

Used when no Valkey is configured, or as a small per-process cache. Entries live in one
`OrderedDict` ordered from least to most recently used; `get` is a dict lookup, one clock
read and a `move_to_end`, because it runs on every cached request. Expired entries are
never returned and are dropped lazily (when looked up, overwritten or evicted), so there
is no background task to manage.

An entry's size is what it costs in memory: its value, its key and `ENTRY_OVERHEAD`
(object headers, the tuple, the expiry float, the dict and order slots), so many small
entries (404 answers for unknown players, say) are bounded as tightly as a few large
ones.

Example:
    cache = MemoryCache(max_bytes=64 * 1024 * 1024)
    await cache.set("heroes:en-us", body, ttl=3600)
    body = await cache.get("heroes:en-us")  # None once expired or evicted
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["ENTRY_OVERHEAD", "MemoryCache", "entry_size"]

ENTRY_OVERHEAD = 256
"""Bytes an entry costs beyond its value's and key's characters, rounded up from ~220
measured with tracemalloc on CPython 3.12: the bytes and str headers (33 + 41), the
tuple (56), the expiry float (24), the ordered dict's slot and node (~66)."""


def entry_size(key: str, value: bytes) -> int:
    """What one entry counts against `max_bytes`."""
    return len(value) + len(key) + ENTRY_OVERHEAD


# (expires_at on the injected clock, value): a plain tuple is the cheapest thing to build
# and unpack on the hot path.
_Entry = tuple[float, bytes]


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
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be at least 1, got {max_bytes}")
        self._max_bytes = max_bytes
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0

    @property
    def entry_count(self) -> int:
        """Entries held, including expired ones not purged yet (for metrics)."""
        return len(self._entries)

    @property
    def byte_size(self) -> int:
        """Total size of the entries held, as `entry_size` counts it (for metrics)."""
        return self._bytes

    async def get(self, key: str) -> bytes | None:
        return self.get_nowait(key)

    def get_nowait(self, key: str) -> bytes | None:
        """`get` without a coroutine: the response cache calls it on every hit."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry[1]

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store `value` for `ttl` seconds, evicting least-recently-used entries to fit.

        `ttl <= 0` (or NaN) stores nothing and leaves any current entry alone, as the port
        says. A value larger than `max_bytes` is not stored either, but it does remove
        the current entry: the caller meant to replace it, so keeping it would serve data
        the caller considers outdated.
        """
        if not ttl > 0:  # also rejects NaN, which would otherwise never expire
            return
        self._drop(key)
        size = entry_size(key, value)
        if size > self._max_bytes:
            return
        self._entries[key] = (self._clock() + ttl, value)
        self._bytes += size
        # The new entry is the most recent one and fits on its own, so this loop never
        # evicts it.
        while self._bytes > self._max_bytes:
            evicted_key, (_, evicted) = self._entries.popitem(last=False)
            self._bytes -= entry_size(evicted_key, evicted)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._drop(key)

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with `prefix` (matched literally); count live ones.

        Expired entries are removed too but not counted, as Valkey would not count them.
        This scans every key: it is meant for rare invalidations, not the request path.
        """
        now = self._clock()
        doomed = [key for key in self._entries if key.startswith(prefix)]
        live = 0
        for key in doomed:
            expires_at, value = self._entries.pop(key)
            self._bytes -= entry_size(key, value)
            if expires_at > now:
                live += 1
        return live

    async def close(self) -> None:
        """Drop every entry; the cache stays usable (and empty) afterwards."""
        self._entries.clear()
        self._bytes = 0

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry_size(key, entry[1])
