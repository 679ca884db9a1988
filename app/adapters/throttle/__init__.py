"""Throttle stores (`memory`, `valkey`) and `ThrottledUpstream`, the throttled upstream.

`ThrottledUpstream` decorates any `Upstream`: every `get` first passes the throttle
(`app.services.throttle`, which describes the scheme), then reports how it went, so the
adaptive delay and the 403 penalty see every upstream call.

Example:
    store = ValkeyThrottleStore.from_url(url, config) if url else MemoryThrottleStore(config)
    upstream = ThrottledUpstream(HttpUpstream.create(base_url=host), Throttle(store, config))
    try:
        page = await upstream.get("/en-us/heroes/", page_type="heroes")
    except UpstreamRateLimitedError as error:  # 403 now, or a penalty still open
        ...  # 503 with Retry-After: error.retry_after
    await upstream.close()  # closes the HTTP client and the throttle store
"""

from __future__ import annotations

from collections.abc import Mapping

from app.domain.errors import UpstreamError, UpstreamRateLimitedError
from app.ports import Upstream, UpstreamResponse
from app.services.throttle import Throttle, retry_after

__all__ = ["ThrottledUpstream"]


class ThrottledUpstream:
    """An `Upstream` whose every call goes through `throttle`. `close()` closes both."""

    def __init__(self, inner: Upstream, throttle: Throttle) -> None:
        self._inner = inner
        self._throttle = throttle

    async def get(
        self,
        path: str,
        *,
        page_type: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        accept_statuses: frozenset[int] = frozenset({200}),
    ) -> UpstreamResponse:
        # Raises UpstreamRateLimitedError without calling upstream during a penalty.
        await self._throttle.acquire()
        try:
            response = await self._inner.get(
                path,
                page_type=page_type,
                params=params,
                headers=headers,
                accept_statuses=accept_statuses,
            )
        except UpstreamRateLimitedError:
            penalty = await self._throttle.report("rate_limited")
            # The inner upstream does not know the window; the caller's Retry-After must.
            raise UpstreamRateLimitedError(retry_after(penalty)) from None
        except UpstreamError:
            await self._throttle.report("other")
            raise
        # An accepted status (200, or 404 where the caller accepts it): Blizzard is fine.
        await self._throttle.report("success")
        return response

    async def close(self) -> None:
        try:
            await self._inner.close()
        finally:
            await self._throttle.close()
