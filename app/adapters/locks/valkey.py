"""A `FlightLock` in Valkey: processes sharing one Valkey fetch each page once.

The leader takes `SET key token NX PX ttl`; others poll until the key is gone (or `wait`
seconds passed) and then proceed, re-checking storage first. The key is released with a
compare-and-delete script, so a holder whose lock expired never deletes someone else's.
Valkey being down means no cross-process exclusion, never a failed request.

Example:
    >>> lock = ValkeyFlightLock.from_url("valkey://127.0.0.1:6379/0")  # doctest: +SKIP
    >>> async with lock.hold("career:TeKrop-2217"):  # doctest: +SKIP
    ...     ...  # re-check storage, then fetch upstream if still needed
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from valkey.asyncio import Valkey

from app.adapters.valkey_client import FAILURES, valkey_client

logger = logging.getLogger(__name__)

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class ValkeyFlightLock:
    def __init__(
        self,
        client: Valkey,
        *,
        key_prefix: str = "owdata:flight:",
        ttl: float = 30.0,
        wait: float = 30.0,
        poll: float = 0.05,
        on_wait: Callable[[], None] | None = None,
    ) -> None:
        self._client = client
        self._prefix = key_prefix
        self._ttl_ms = int(ttl * 1000)
        self._wait = wait
        self._poll = poll
        self._on_wait = on_wait
        self._release = client.register_script(_RELEASE)

    @classmethod
    def from_url(cls, url: str, **kwargs: float) -> ValkeyFlightLock:
        return cls(valkey_client(url, socket_timeout=0.5), **kwargs)  # type: ignore[arg-type]

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        name = self._prefix + key
        token = secrets.token_hex(8)
        acquired = await self._acquire(name, token)
        try:
            yield
        finally:
            if acquired:
                with contextlib.suppress(*FAILURES):  # else it expires by itself
                    await self._release(keys=[name], args=[token])

    async def _acquire(self, name: str, token: str) -> bool:
        deadline = time.monotonic() + self._wait
        waited = False
        while True:
            try:
                if await self._client.set(name, token, nx=True, px=self._ttl_ms):
                    return True
            except FAILURES as exc:
                logger.debug("flight lock unavailable, proceeding without it: %s", exc)
                return False
            if not waited and self._on_wait is not None:
                self._on_wait()
            waited = True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(self._poll)

    async def close(self) -> None:
        await self._client.aclose()
