"""Near copies: the in-process copies a `ValkeyCache` answers hits from, bounded in bytes.

A copy may be used only while it is known to match Valkey. `NearCopies` holds the copies
and the bookkeeping for that; `TrackingListener` (`tracking.py`) keeps it true by feeding
it Valkey's invalidation messages and by moving `fresh_as_of` forward:

* `fresh_as_of` is a time (on `clock`) such that every write Valkey executed before it
  has already been applied here (its copy dropped). Copies are served only while
  `clock() - fresh_as_of <= staleness`, so a replaced or deleted entry is never served
  here longer than `staleness` seconds after the write, even if invalidations stop
  arriving (a frozen server, a lost connection): the copies then simply go unused.
* A copy is filled from a GET only if no invalidation of its key (nor a flush) arrived
  between `begin(key)`, called before the GET is sent, and `fill`. Otherwise a reply
  read before a concurrent write could be kept after that write's invalidation.

Sizes count the value's bytes plus `ENTRY_OVERHEAD` for the key and bookkeeping, so the
total stays under `max_bytes` however small the values are.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

__all__ = ["ENTRY_OVERHEAD", "NearCopies"]

ENTRY_OVERHEAD = 200
"""Bytes charged per copy on top of its value (key, tuple, dict slot), roughly."""

# (expires_at on the clock, value, size charged)
_Copy = tuple[float, bytes, int]


class NearCopies:
    """A byte-bounded LRU of copies, usable only while invalidations are known current."""

    def __init__(
        self,
        *,
        max_bytes: int,
        staleness: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be at least 1, got {max_bytes}")
        if not staleness > 0:
            raise ValueError(f"staleness must be positive, got {staleness}")
        self.max_bytes = max_bytes
        self.staleness = staleness
        self.clock = clock
        self.fresh_as_of = -math.inf
        """Every Valkey write before this time has been applied here (see the module doc)."""
        self._copies: OrderedDict[str, _Copy] = OrderedDict()
        self._pending: dict[str, object] = {}
        self._bytes = 0

    @property
    def byte_size(self) -> int:
        """Bytes charged for the copies held (values plus `ENTRY_OVERHEAD` each)."""
        return self._bytes

    @property
    def entry_count(self) -> int:
        return len(self._copies)

    def get(self, key: str) -> bytes | None:
        """The copy of `key` if there is one, unexpired and known current; else None."""
        copy = self._copies.get(key)
        if copy is None:
            return None
        now = self.clock()
        if now - self.fresh_as_of > self.staleness:
            return None  # not known current: ask Valkey (the copy may still be right)
        if copy[0] <= now:
            self._drop(key)
            return None
        self._copies.move_to_end(key)
        return copy[1]

    def begin(self, key: str) -> object | None:
        """Call before sending the GET whose reply may `fill` `key`; None: do not fill."""
        if self.clock() - self.fresh_as_of > self.staleness:
            return None
        token = object()
        self._pending[key] = token
        return token

    def fill(self, key: str, token: object | None, value: bytes, ttl: float) -> None:
        """Keep `value` as the copy of `key` for `ttl` seconds, unless `key` was invalidated
        (or everything flushed) since `begin` returned `token`."""
        if token is None or self._pending.get(key) is not token:
            return
        del self._pending[key]
        self._drop(key)
        size = len(value) + ENTRY_OVERHEAD
        if not ttl > 0 or size > self.max_bytes:
            return
        self._copies[key] = (self.clock() + ttl, value, size)
        self._bytes += size
        while self._bytes > self.max_bytes:  # the new copy fits on its own: never evicted
            _, (_, _, evicted) = self._copies.popitem(last=False)
            self._bytes -= evicted

    def abandon(self, key: str, token: object | None) -> None:
        """The GET started by `begin` failed or found nothing: forget its token."""
        if token is not None and self._pending.get(key) is token:
            del self._pending[key]

    def invalidate(self, keys: Iterable[str]) -> None:
        """Drop the copies of `keys` and cancel their fills in flight."""
        for key in keys:
            self._pending.pop(key, None)
            self._drop(key)

    def invalidate_prefix(self, prefix: str) -> None:
        for key in [key for key in self._copies if key.startswith(prefix)]:
            self._drop(key)
        for key in [key for key in self._pending if key.startswith(prefix)]:
            del self._pending[key]

    def flush(self) -> None:
        """Drop every copy and cancel every fill in flight."""
        self._copies.clear()
        self._pending.clear()
        self._bytes = 0

    def _drop(self, key: str) -> None:
        copy = self._copies.pop(key, None)
        if copy is not None:
            self._bytes -= copy[2]
