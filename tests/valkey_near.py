"""Helpers for tests of `ValkeyCache` near copies (in-process copies kept current by
Valkey's invalidation messages)."""

from __future__ import annotations

import asyncio
import math
import time

from app.adapters.cache.valkey import ValkeyCache

__all__ = ["near_cache", "until_tracking"]


def near_cache(
    url: str, *, key_prefix: str = "near:", max_bytes: int = 1 << 20, staleness: float = 0.5
) -> ValkeyCache:
    """A `ValkeyCache` with near copies (start it with `until_tracking`)."""
    return ValkeyCache.from_url(
        url, key_prefix=key_prefix, near_max_bytes=max_bytes, near_staleness=staleness
    )


async def until_tracking(cache: ValkeyCache) -> None:
    """Start `cache`'s invalidation listener and wait (5 s at most) until its near copies
    may be used."""
    near = cache.near
    assert near is not None, "the cache has no near copies"
    cache.start_tracking()
    deadline = time.monotonic() + 5.0
    while near.fresh_as_of == -math.inf:
        assert time.monotonic() < deadline, "the invalidation listener never became current"
        await asyncio.sleep(0.005)
