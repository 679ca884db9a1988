"""The upstream port over httpx: one `AsyncClient` for the app's whole lifetime.

Example:
    >>> upstream = HttpUpstream.create(base_url="https://overwatch.blizzard.com")
    >>> page = await upstream.get("/en-us/heroes/", page_type="heroes")  # doctest: +SKIP
    >>> await upstream.close()  # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import httpx

from app.domain.errors import (
    UpstreamConnectionError,
    UpstreamRateLimitedError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from app.ports import UpstreamResponse

CallObserver = Callable[[str, str, float], None]
"""Called after each upstream call with (page_type, status label, duration in seconds)."""

MAX_REDIRECTS = 5
RATE_LIMIT_STATUS = 403


def _no_observer(page_type: str, status: str, duration: float) -> None:
    return None


class HttpUpstream:
    """Blizzard's site over HTTP; transport trouble becomes typed `UpstreamError`s."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        observe: CallObserver | None = None,
        penalty_seconds: int = 60,
    ) -> None:
        self._client = client
        self._observe = observe or _no_observer
        self._penalty_seconds = penalty_seconds

    @classmethod
    def create(
        cls,
        *,
        base_url: str,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        max_connections: int = 10,
        user_agent: str = "owdata",
        transport: httpx.AsyncBaseTransport | None = None,
        observe: CallObserver | None = None,
        penalty_seconds: int = 60,
    ) -> HttpUpstream:
        client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            headers={"User-Agent": user_agent},
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            transport=transport,
        )
        return cls(client, observe=observe, penalty_seconds=penalty_seconds)

    async def get(
        self,
        path: str,
        *,
        page_type: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        accept_statuses: frozenset[int] = frozenset({200}),
    ) -> UpstreamResponse:
        started = time.perf_counter()
        status = "error"
        try:
            response = await self._client.get(path, params=params, headers=headers)
            status = str(response.status_code)
        except httpx.TimeoutException:
            status = "timeout"
            raise UpstreamTimeoutError("Blizzard took too long to respond") from None
        except httpx.TooManyRedirects:
            raise UpstreamConnectionError("Blizzard redirected too many times") from None
        except httpx.HTTPError:
            raise UpstreamConnectionError("Could not reach Blizzard") from None
        finally:
            self._observe(page_type, status, time.perf_counter() - started)
        return upstream_response(response, accept_statuses, self._penalty_seconds)

    async def close(self) -> None:
        await self._client.aclose()


def upstream_response(
    response: httpx.Response, accept: frozenset[int], penalty_seconds: int
) -> UpstreamResponse:
    """Blizzard's final answer as the `Upstream` port returns it: a 403 raises
    `UpstreamRateLimitedError` (with the penalty to wait), a status outside `accept`
    raises `UpstreamStatusError`."""
    if response.status_code == RATE_LIMIT_STATUS:
        raise UpstreamRateLimitedError(penalty_seconds)
    if response.status_code not in accept:
        raise UpstreamStatusError(response.status_code)
    return UpstreamResponse(
        status=response.status_code, content=response.content, url=str(response.url)
    )
