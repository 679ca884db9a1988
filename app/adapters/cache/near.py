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

The copies are a `BytesLru` (`lru.py`): counted and evicted as the in-process cache's
entries are (value, key and `ENTRY_OVERHEAD`), so their gauges mean the same.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable

from app.adapters.cache.lru import BytesLru

__all__ = ["NearCopies"]


class NearCopies:
    """A byte-bounded LRU of copies, usable only while invalidations are known current."""

    def __init__(
        self,
        *,
        max_bytes: int,
        staleness: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not staleness > 0:
            raise ValueError(f"staleness must be positive, got {staleness}")
        self.staleness = staleness
        self.clock = clock
        self.fresh_as_of = -math.inf
        """Every Valkey write before this time has been applied here (see the module doc)."""
        self._copies = BytesLru(max_bytes=max_bytes, clock=clock)
        self._pending: dict[str, object] = {}

    @property
    def max_bytes(self) -> int:
        return self._copies.max_bytes

    @property
    def byte_size(self) -> int:
        """Bytes charged for the copies held (`lru.entry_size` each)."""
        return self._copies.byte_size

    @property
    def entry_count(self) -> int:
        return self._copies.entry_count

    def get(self, key: str) -> bytes | None:
        """The copy of `key` if there is one, unexpired and known current; else None."""
        now = self.clock()
        if now - self.fresh_as_of > self.staleness:
            return None  # not known current: ask Valkey (the copy may still be right)
        return self._copies.get(key, now)

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
        self._copies.put(key, value, ttl)

    def abandon(self, key: str, token: object | None) -> None:
        """The GET started by `begin` failed or found nothing: forget its token."""
        if token is not None and self._pending.get(key) is token:
            del self._pending[key]

    def invalidate(self, keys: Iterable[str]) -> None:
        """Drop the copies of `keys` and cancel their fills in flight."""
        for key in keys:
            self._pending.pop(key, None)
            self._copies.drop(key)

    def invalidate_prefix(self, prefix: str) -> None:
        self._copies.drop_prefix(prefix)
        for key in [key for key in self._pending if key.startswith(prefix)]:
            del self._pending[key]

    def flush(self) -> None:
        """Drop every copy and cancel every fill in flight."""
        self._copies.clear()
        self._pending.clear()
