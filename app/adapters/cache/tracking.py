"""Keep a `NearCopies` current with Valkey's server-assisted client-side caching.

One dedicated RESP3 connection per cache runs `CLIENT TRACKING ON BCAST PREFIX <prefix>`:
Valkey then pushes `invalidate [keys]` on it whenever a key of the namespace is written,
deleted, expired or evicted, by any process. A reader task drops those copies.

A connection that is silent proves nothing, so the listener also PINGs every
`ping_interval` seconds, one PING at a time. When the answer to PING *k* arrives, every
write Valkey executed before PING *k-1* was sent has had its invalidation read already
(replies on one connection keep their order, and PING *k* is sent only once PING *k-1*'s
answer, and thus the end of the server loop iteration that ran it, has come back;
broadcast invalidations are queued at the end of an iteration). So `fresh_as_of` becomes
the time PING *k-1* was sent, and the copies stop being served once it is older than the
copies' `staleness` (see `near.py`). A PING without an answer within `reply_timeout`, or
any error, drops the connection and every copy; the listener reconnects after
`retry_delay` seconds and the copies refill from Valkey.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable

from valkey.asyncio import ConnectionPool
from valkey.asyncio.connection import AbstractConnection

from app.adapters.cache.near import NearCopies
from app.adapters.valkey_client import FAILURES

__all__ = ["TrackingListener"]

logger = logging.getLogger(__name__)


class TrackingLostError(ConnectionError):
    """The tracking connection stopped answering or sent something unexpected."""


class TrackingListener:
    """Feeds `near` with the invalidations of keys under `prefix` on the server at `url`."""

    def __init__(
        self,
        url: str,
        prefix: str,
        near: NearCopies,
        *,
        ping_interval: float | None = None,
        reply_timeout: float = 2.0,
        retry_delay: float = 1.0,
    ) -> None:
        self.near = near
        self._url = url
        self._prefix = prefix
        self._ping_interval = near.staleness / 4 if ping_interval is None else ping_interval
        self._reply_timeout = reply_timeout
        self._retry_delay = retry_delay
        self._task: asyncio.Task[None] | None = None
        self._lost_logged = False

    def start(self) -> None:
        """Start listening in the background (in the running loop); idempotent."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._forget()

    async def _run(self) -> None:
        while True:
            try:
                await self._session()
            except Exception as error:  # whatever it is, copies go unused until back
                if not self._lost_logged:
                    self._lost_logged = True
                    logger.warning(
                        "Valkey invalidations unavailable, near copies unused: %s: %s",
                        type(error).__name__,
                        error,
                    )
            finally:
                self._forget()
            await asyncio.sleep(self._retry_delay)

    def _forget(self) -> None:
        self.near.fresh_as_of = -math.inf
        self.near.flush()

    async def _session(self) -> None:
        pool = ConnectionPool.from_url(
            self._url, protocol=3, socket_timeout=None, health_check_interval=0
        )
        conn: AbstractConnection = pool.make_connection()  # type: ignore[no-untyped-call]
        reader: asyncio.Task[None] | None = None
        try:
            async with asyncio.timeout(self._reply_timeout):
                await conn.connect()  # type: ignore[no-untyped-call]
                _return_pushes(conn)
                sent = self.near.clock()
                command = ("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", self._prefix)
                await conn.send_command(*command, check_health=False)
                reply: object = await conn.read_response(push_request=True)
            if reply not in (b"OK", "OK"):
                raise TrackingLostError(f"CLIENT TRACKING answered {reply!r}")
            self.near.flush()  # writes before tracking started were never announced
            answered = asyncio.Event()
            reader = asyncio.create_task(self._read(conn, answered))
            await self._ping(conn, reader, answered, sent)
        finally:
            if reader is not None:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, *FAILURES):
                    await reader
            with contextlib.suppress(*FAILURES):
                await conn.disconnect(nowait=True)

    async def _ping(
        self,
        conn: AbstractConnection,
        reader: asyncio.Task[None],
        answered: asyncio.Event,
        sent: float,
    ) -> None:
        clock = self.near.clock
        while True:
            answered.clear()
            previous, sent = sent, clock()
            await conn.send_command("PING", check_health=False)
            waiter = asyncio.create_task(answered.wait())
            await asyncio.wait(
                {reader, waiter}, timeout=self._reply_timeout, return_when="FIRST_COMPLETED"
            )
            waiter.cancel()
            if reader.done():
                reader.result()  # raises what ended it
                raise TrackingLostError("the tracking connection closed")
            if not answered.is_set():
                raise TrackingLostError(f"no answer to PING within {self._reply_timeout} s")
            self.near.fresh_as_of = previous
            if self._lost_logged:
                self._lost_logged = False
                logger.info("Valkey invalidations are back, near copies in use again")
            await asyncio.sleep(self._ping_interval)

    async def _read(self, conn: AbstractConnection, answered: asyncio.Event) -> None:
        prefix = self._prefix.encode()
        while True:
            reply: object = await conn.read_response(push_request=True)
            match reply:
                case [b"invalidate" | "invalidate", None]:
                    self.near.flush()
                case [b"invalidate" | "invalidate", list() as keys]:
                    self.near.invalidate(_names(keys, prefix))
                case b"PONG" | "PONG":
                    answered.set()
                case Exception():
                    raise TrackingLostError(f"unexpected reply while tracking: {reply}")
                case _:
                    logger.debug("ignored on the tracking connection: %r", reply)


def _names(keys: list[object], prefix: bytes) -> list[str]:
    """Cache keys (prefix removed) of the invalidated Valkey keys."""
    names = []
    for key in keys:
        raw = key if isinstance(key, bytes) else str(key).encode()
        if raw.startswith(prefix):
            names.append(raw[len(prefix) :].decode("utf-8", "surrogateescape"))
    return names


def _return_pushes(conn: AbstractConnection) -> None:
    """Make the pure-Python RESP3 parser return push messages as lists, as libvalkey's does."""
    parser: object = getattr(conn, "_parser", None)
    setter: Callable[[Callable[[object], object]], None] | None = getattr(
        parser, "set_invalidation_push_handler", None
    )
    if setter is not None:
        setter(lambda message: message)
