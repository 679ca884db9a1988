"""A least-recently-used map of byte values with per-entry TTLs, bounded by the bytes it
holds: the core of the in-process cache (`MemoryCache`) and of Valkey's near copies
(`NearCopies`), so both count and evict alike.

Entries live in one `OrderedDict` ordered from least to most recently used; `get` is a
dict lookup, one clock read and a `move_to_end`, because it runs on every cached
request. Expired entries are never returned and are dropped lazily (when looked up,
overwritten or evicted), so there is no background task to manage.

An entry's size is what it costs in memory: its value, its key and `ENTRY_OVERHEAD`
(object headers, the tuple, the expiry float, the dict and order slots), so many small
entries (404 answers for unknown players, say) are bounded as tightly as a few large
ones.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["ENTRY_OVERHEAD", "BytesLru", "entry_size"]

ENTRY_OVERHEAD = 256
"""Bytes an entry costs beyond its value's and key's characters, rounded up from ~220
measured with tracemalloc on CPython 3.12: the bytes and str headers (33 + 41), the
tuple (56), the expiry float (24), the ordered dict's slot and node (~66)."""


def entry_size(key: str, value: bytes) -> int:
    """What one entry counts against `max_bytes`."""
    return len(value) + len(key) + ENTRY_OVERHEAD


# (expires_at on the clock, value): a plain tuple is the cheapest thing to build and
# unpack on the hot path.
_Entry = tuple[float, bytes]


class BytesLru:
    """Byte values by key, each until its expiry, at most `max_bytes` of them in all.

    `clock` must be monotonic (seconds); tests inject a manual one."""

    def __init__(self, *, max_bytes: int, clock: Callable[[], float] = time.monotonic) -> None:
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be at least 1, got {max_bytes}")
        self.max_bytes = max_bytes
        self.clock = clock
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

    def get(self, key: str, now: float | None = None) -> bytes | None:
        """`key`'s value unless absent or expired (at `now`, when the caller has just read
        the clock); it becomes the most recently used."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= (self.clock() if now is None else now):
            self.drop(key)
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: str, value: bytes, ttl: float) -> None:
        """Keep `value` for `ttl` seconds in place of `key`'s current value, evicting the
        least recently used entries to fit. With `ttl <= 0` (or NaN) or a value larger
        than `max_bytes`, nothing is kept, and the current value is gone all the same."""
        self.drop(key)
        size = entry_size(key, value)
        if not ttl > 0 or size > self.max_bytes:  # NaN would otherwise never expire
            return
        self._entries[key] = (self.clock() + ttl, value)
        self._bytes += size
        # The new entry is the most recent one and fits on its own: never evicted here.
        while self._bytes > self.max_bytes:
            evicted_key, (_, evicted) = self._entries.popitem(last=False)
            self._bytes -= entry_size(evicted_key, evicted)

    def drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry_size(key, entry[1])

    def drop_prefix(self, prefix: str) -> int:
        """Drop every key starting with `prefix` (matched literally); return how many of
        them had not expired. Scans every key: for rare invalidations only."""
        now = self.clock()
        live = 0
        for key in [key for key in self._entries if key.startswith(prefix)]:
            expires_at, value = self._entries.pop(key)
            self._bytes -= entry_size(key, value)
            live += expires_at > now
        return live

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
