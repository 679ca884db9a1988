"""A `FlightLock` in Valkey: processes sharing one Valkey fetch each page once.

The leader takes `SET key token NX PX ttl`; others poll until the key is gone (or `wait`
seconds passed) and then proceed, re-checking storage first. The key is released with a
compare-and-delete script, so a holder whose lock expired never deletes someone else's.
Valkey being down means no cross-process exclusion, never a failed request; a Valkey
that stops answering trips a `CircuitBreaker`, so callers then proceed without the lock
at once instead of waiting for a timeout each.

Example:
    >>> lock = ValkeyFlightLock.from_url("valkey://127.0.0.1:6379/0")  # doctest: +SKIP
    >>> async with lock.hold("career:TeKrop-2217"):  # doctest: +SKIP
    ...     ...  # re-check storage, then fetch upstream if still needed
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from valkey.asyncio import Valkey

from app.adapters.circuit_breaker import CircuitBreaker
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
        circuit: CircuitBreaker | None = None,
    ) -> None:
        self._client = client
        self._prefix = key_prefix
        self._ttl_ms = int(ttl * 1000)
        self._wait = wait
        self._poll = poll
        self._on_wait = on_wait
        self._release = client.register_script(_RELEASE)
        self.circuit = circuit or CircuitBreaker("lock")
        """Skips Valkey while it keeps failing (see `app.adapters.circuit_breaker`)."""

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        wait: float = 30.0,
        ttl: float = 30.0,
        circuit: CircuitBreaker | None = None,
    ) -> ValkeyFlightLock:
        return cls(valkey_client(url, socket_timeout=0.5), wait=wait, ttl=ttl, circuit=circuit)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        name = self._prefix + key
        token = secrets.token_hex(8)
        acquired = await self._acquire(name, token)
        try:
            yield
        finally:
            if acquired and self.circuit.allow():  # else it expires by itself
                try:
                    await self._release(keys=[name], args=[token])
                except FAILURES:
                    self.circuit.failed()
                else:
                    self.circuit.succeeded()

    async def _acquire(self, name: str, token: str) -> bool:
        deadline = time.monotonic() + self._wait
        waited = False
        while True:
            if not self.circuit.allow():
                return False
            try:
                taken = await self._client.set(name, token, nx=True, px=self._ttl_ms)
            except FAILURES as exc:
                self.circuit.failed()
                logger.debug("flight lock unavailable, proceeding without it: %s", exc)
                return False
            self.circuit.succeeded()
            if taken:
                return True
            if not waited and self._on_wait is not None:
                self._on_wait()
            waited = True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(self._poll)

    async def close(self) -> None:
        await self._client.aclose()
