"""Valkey `Cache` adapter: a cache shared by every worker, that degrades instead of failing.

Keys are namespaced with `key_prefix`, values are stored with `SET key value PX ttl_ms`,
and `delete_prefix` walks the namespace with `SCAN ... MATCH` (glob characters escaped,
so a prefix is matched literally) and removes keys with `UNLINK` in batches, so neither
blocks the server on a large namespace.

Valkey being down makes the service slower, never broken: `get` returns None, `set` and
`delete` do nothing and `delete_prefix` returns what it managed to delete (0 when the
server is unreachable). Each failure calls the optional `on_error(operation)` hook (for a
metrics counter); warnings are logged at most once per `warn_interval` seconds. The
connection pool reconnects by itself, and a failed command is retried once on a fresh
connection, so a Valkey restart costs at most the commands sent while it was down.
A Valkey that stops answering (frozen, not dead) trips a `CircuitBreaker` after a few
consecutive failures: the cache then misses at once, without waiting for timeouts, and
probes Valkey again after a cool-down.

With a `TrackingListener` (`from_url(..., near_max_bytes=N)`), recent values are also kept
in process as near copies (`near.py`, `tracking.py`): `get` and `get_nowait` answer from a
copy without asking Valkey while Valkey's invalidations are known current, so a hit does
not transfer and decode the whole value; a value replaced or deleted by any process stops
being served here within `near_staleness` seconds (in practice within a millisecond).

Example:
    cache = ValkeyCache.from_url(
        "valkey://localhost:6379/0", on_error=lambda op: CACHE_ERRORS.labels(op).inc()
    )
    await cache.set("heroes:en-us", body, ttl=3600)
    body = await cache.get("heroes:en-us")
    await cache.delete_prefix("heroes:")  # every locale at once
    await cache.close()
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from valkey import exceptions as valkey_errors
from valkey.asyncio import Valkey

from app.adapters.cache.near import NearCopies
from app.adapters.cache.tracking import TrackingListener
from app.adapters.circuit_breaker import CircuitBreaker
from app.adapters.valkey_client import FAILURES, valkey_client

__all__ = ["ValkeyCache"]

logger = logging.getLogger(__name__)

# Characters with a meaning in Valkey glob patterns (`SCAN MATCH`); a backslash escapes
# any of them.
_GLOB_SPECIAL = frozenset("\\*?[]")


def escape_glob(text: str) -> str:
    """Escape `text` so that a Valkey glob pattern matches it literally."""
    return "".join(f"\\{char}" if char in _GLOB_SPECIAL else char for char in text)


class _FailureReporter:
    """Counts failures through a hook and logs them without flooding the log."""

    __slots__ = (
        "_clock",
        "_hook_failure_logged",
        "_interval",
        "_next_warning_at",
        "_on_error",
        "_suppressed",
        "_warned",
        "failing",
    )

    def __init__(
        self,
        on_error: Callable[[str], None] | None,
        interval: float,
        clock: Callable[[], float],
    ) -> None:
        self._on_error = on_error
        self._interval = interval
        self._clock = clock
        self._next_warning_at = -math.inf
        self._suppressed = 0
        self.failing = False
        """True from a failure until the next successful command (cheap to check)."""
        self._warned = False
        self._hook_failure_logged = False

    def failed(self, operation: str, error: BaseException) -> None:
        self.failing = True
        if self._on_error is not None:
            try:
                self._on_error(operation)
            except Exception:
                # A broken metrics hook must not turn "slower" into "broken". It is a
                # bug, so say so once, with the traceback, rather than on every failure.
                if not self._hook_failure_logged:
                    self._hook_failure_logged = True
                    logger.exception("the cache on_error hook raised; further errors hidden")
        now = self._clock()
        if now < self._next_warning_at:
            self._suppressed += 1
            return
        self._next_warning_at = now + self._interval
        suppressed, self._suppressed = self._suppressed, 0
        self._warned = True
        logger.warning(
            "Valkey %s failed, serving without the shared cache: %s: %s"
            " (%d more failures in the last %.0f s were not logged)",
            operation,
            type(error).__name__,
            error,
            suppressed,
            self._interval,
        )

    def recovered(self) -> None:
        self.failing = False
        # Only announce a recovery whose outage was announced, so that a flapping
        # connection cannot flood the log with recoveries either.
        if self._warned:
            self._warned = False
            logger.info("Valkey is answering again, the shared cache is back")


class ValkeyCache:
    """A `Cache` stored in Valkey under `key_prefix`, degrading to a no-op while down.

    Build it with `from_url`; the constructor takes a ready `valkey.asyncio.Valkey`
    client (which it owns and closes) for callers that need other connection settings.
    """

    get_nowait_is_final = False
    """`get_nowait` holds only the near copies: its None means "ask `get`"."""

    def __init__(
        self,
        client: Valkey,
        *,
        key_prefix: str = "owdata:",
        on_error: Callable[[str], None] | None = None,
        warn_interval: float = 60.0,
        scan_count: int = 500,
        clock: Callable[[], float] = time.monotonic,
        circuit: CircuitBreaker | None = None,
        tracking: TrackingListener | None = None,
    ) -> None:
        self._client = client
        self._tracking = tracking
        self._near = tracking.near if tracking is not None else None
        self._prefix = key_prefix
        self._scan_count = scan_count
        self._report = _FailureReporter(on_error, warn_interval, clock)
        self.circuit = circuit or CircuitBreaker("cache", clock=clock)
        """Skips Valkey while it keeps failing (see `app.adapters.circuit_breaker`)."""
        self._closed = False

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        key_prefix: str = "owdata:",
        socket_timeout: float = 1.0,
        on_error: Callable[[str], None] | None = None,
        warn_interval: float = 60.0,
        health_check_interval: float = 30.0,
        circuit: CircuitBreaker | None = None,
        near_max_bytes: int = 0,
        near_staleness: float = 1.0,
    ) -> ValkeyCache:
        """Connect lazily to `url` (`valkey://host:port/db`, `valkeys://...`, `unix://...`).

        `socket_timeout` bounds connecting and each reply, so a hung server costs at most
        about twice that per call (one retry). Connections idle for more than
        `health_check_interval` seconds are PINGed before reuse. `near_max_bytes` > 0
        keeps near copies of up to that many bytes, never served more than
        `near_staleness` seconds after the value changed in Valkey.
        """
        client = valkey_client(
            url, socket_timeout=socket_timeout, health_check_interval=health_check_interval
        )
        tracking = None
        if near_max_bytes > 0:
            near = NearCopies(max_bytes=near_max_bytes, staleness=near_staleness)
            tracking = TrackingListener(url, key_prefix, near, reply_timeout=2 * socket_timeout)
        return cls(
            client,
            key_prefix=key_prefix,
            on_error=on_error,
            warn_interval=warn_interval,
            circuit=circuit,
            tracking=tracking,
        )

    @property
    def key_prefix(self) -> str:
        return self._prefix

    @property
    def near(self) -> NearCopies | None:
        """The near copies (None without tracking), e.g. for their size in metrics."""
        return self._near

    def start_tracking(self) -> None:
        """Start listening for invalidations now rather than at the first `get` (in a loop)."""
        if self._tracking is not None and not self._closed:
            self._tracking.start()

    def get_nowait(self, key: str) -> bytes | None:
        """The near copy of `key` if one may be served; None means "ask `get`"."""
        near = self._near
        return None if near is None else near.get(key)

    async def get(self, key: str) -> bytes | None:
        if self._closed:
            return None
        near, token = self._near, None
        if near is not None:
            copy = near.get(key)
            if copy is not None:
                return copy
        if not self.circuit.allow():  # before a fill is begun: nothing left pending
            return None
        if near is not None:
            self.start_tracking()
            token = near.begin(key)
        name = self._prefix + key
        try:
            if near is None or token is None:
                value: object = await self._client.get(name)
            else:
                value, ttl = await self._get_with_ttl(name)
                if isinstance(value, bytes):
                    near.fill(key, token, value, ttl)
        except FAILURES as error:
            self._failed("get", error)
            return None
        finally:
            if near is not None:
                near.abandon(key, token)
        self._succeeded()
        return value if isinstance(value, bytes) else None

    async def _get_with_ttl(self, name: str) -> tuple[object, float]:
        """GET and PTTL in one round trip: a near copy must expire with its value."""
        pipe = self._client.pipeline(transaction=False)
        pipe.get(name)
        pipe.pttl(name)
        value, pttl = await pipe.execute()
        if not isinstance(pttl, int) or pttl == -2:  # -2: gone by the time PTTL ran
            return value, 0.0
        return value, math.inf if pttl == -1 else pttl / 1000

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store `value` for `ttl` seconds (rounded up to a millisecond); `ttl <= 0` is a no-op."""
        if self._near is not None:
            self._near.invalidate((key,))  # our own write's invalidation may come later
        if self._closed or not ttl > 0 or not self.circuit.allow():  # `not >` rejects NaN
            return
        # PX takes whole milliseconds and rejects 0; an infinite TTL means no expiry.
        px = None if math.isinf(ttl) else max(1, math.ceil(ttl * 1000))
        try:
            await self._client.set(self._prefix + key, value, px=px)
        except FAILURES as error:
            self._failed("set", error)
            return
        self._succeeded()

    async def delete(self, *keys: str) -> None:
        if self._near is not None:
            self._near.invalidate(keys)
        if self._closed or not keys or not self.circuit.allow():  # UNLINK needs keys
            return
        try:
            await self._client.unlink(*(self._prefix + key for key in keys))
        except FAILURES as error:
            self._failed("delete", error)
            return
        self._succeeded()

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every key starting with `prefix` (matched literally); return how many.

        SCAN is incremental, so keys written during the walk may survive it. On failure
        the keys deleted so far are counted and the rest are left to their TTLs.
        """
        if self._near is not None:
            self._near.invalidate_prefix(prefix)
        if self._closed or not self.circuit.allow():
            return 0
        pattern = escape_glob(self._prefix + prefix) + "*"
        deleted = 0
        cursor = 0
        try:
            while True:
                reply: object = await self._client.scan(
                    cursor=cursor, match=pattern, count=self._scan_count
                )
                cursor, keys = _parse_scan_reply(reply)
                if keys:
                    unlinked: object = await self._client.unlink(*keys)
                    deleted += unlinked if isinstance(unlinked, int) else 0
                if cursor == 0:
                    break
        except FAILURES as error:
            self._failed("delete_prefix", error)
            return deleted
        self._succeeded()
        return deleted

    def _failed(self, operation: str, error: BaseException) -> None:
        self.circuit.failed()
        self._report.failed(operation, error)

    def _succeeded(self) -> None:
        self.circuit.succeeded()
        if self._report.failing:
            self._report.recovered()

    async def ping(self) -> bool:
        """Whether Valkey answers now (for health checks; not reported to `on_error`)."""
        if self._closed:
            return False
        try:
            answer: object = await self._client.ping()
        except FAILURES:
            return False
        return answer is True

    async def close(self) -> None:
        """Close the connection pool; later calls behave as if Valkey were empty."""
        if self._closed:
            return
        self._closed = True
        if self._tracking is not None:
            await self._tracking.close()
        try:
            await self._client.aclose()
        except FAILURES as error:
            logger.debug("closing the Valkey client failed: %r", error)


def _parse_scan_reply(reply: object) -> tuple[int, list[bytes]]:
    """Check the shape of a parsed SCAN reply: `(next_cursor, [key, ...])`."""
    match reply:
        case (int() as cursor, list() as keys) if all(isinstance(key, bytes) for key in keys):
            return cursor, keys
    raise valkey_errors.InvalidResponse(f"unexpected SCAN reply: {reply!r}")
