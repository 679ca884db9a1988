"""The HTTP response cache: an ASGI middleware in front of the routers.

Routes say how long their answer may be reused with `Cache-Control: public, max-age=N`
(and `Age` when the data is older than the request); this layer stores exactly the bytes
that were sent, keyed by `cache_key`, and answers later requests from the `Cache` port
without entering FastAPI at all. A hit therefore returns the same bytes, the same
`ETag` and the same headers as the miss that filled it, with `Age` brought up to date.
`If-None-Match` is honoured on hits and misses alike (304 without a body), and so is
HEAD (the routes answer GET: a HEAD miss is their GET answer, stored, sent without its
body). Query strings longer than `max_query_length` get a JSON 414 before anything else.

Hits are the hottest path there is, so recent ones are kept prepared (`Hot`: decoded,
headers built, ASGI messages ready) by raw path and query string, within a bound in bytes
(`prepared_max_bytes`: a prepared hit holds its stored bytes and a decoded copy of its
body). The cache stays the authority: a prepared hit is sent only while the cache returns
the very bytes it was built from, so expiry, eviction and replacement behave exactly as
without it.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.cache_keys import RepeatedParameterError, cache_key
from app.api.cached_entry import Entry, Hot, Record, etag_matches, make_etag
from app.api.responses import dump_json
from app.metrics import LookupCounts
from app.ports import Cache

logger = logging.getLogger(__name__)

CACHED_PREFIXES = ("/heroes", "/roles", "/maps", "/gamemodes", "/players")
CACHEABLE_STATUSES = frozenset({200, 404})
# Scope key: the client's method when the app is asked for GET on its behalf (a HEAD miss).
REQUEST_METHOD = "owdata.request_method"
PREPARED_HITS_MAX_BYTES = 16 * 1024 * 1024
"""Default bound of the prepared hits' memory (`PREPARED_HITS_MAX_BYTES`)."""
PREPARED_HIT_OVERHEAD = 512
"""Bytes a prepared hit counts beyond its stored bytes and body (key, headers, messages)."""
_MAX_AGE = re.compile(rb"(?:^|[ ,])max-age=(\d+)")
_SWR = re.compile(rb"stale-while-revalidate=(\d+)")

RecorderFor = Callable[[str, str], Record]
"""`(path, method) -> record(status, seconds)`: counts requests this layer answers itself."""


def _no_record(status: int, seconds: float) -> None:
    return None


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class ResponseCacheMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        cache: Cache,
        clock: Callable[[], float] = time.time,
        counts: LookupCounts | None = None,
        max_query_length: int = 1024,
        recorder_for: RecorderFor | None = None,
        stale_ttl: int = 0,
        prepared_max_bytes: int = PREPARED_HITS_MAX_BYTES,
    ) -> None:
        self.app = app
        # Seconds a stale answer is reused (0: each is rendered again, asking for a refresh).
        self.stale_ttl = stale_ttl
        self.recorder_for = recorder_for
        self.max_query_length = max_query_length
        self.cache = cache
        self.clock = clock
        self.counts = counts if counts is not None else LookupCounts("uncounted")
        # Hits ready to send, by raw (path, query string): a hit costs a lookup here and
        # one in the cache (which stays the authority: its answer must be the bytes this
        # was built from), not a key normalisation, a decode and a header build.
        # Bounded in bytes: each counts the stored bytes it holds (which may outlive their
        # cache entry), its decoded body and `PREPARED_HIT_OVERHEAD`.
        self._hot: dict[tuple[str, bytes], Hot] = {}
        self.prepared_bytes = 0
        self.prepared_max_bytes = prepared_max_bytes
        # An in-process cache, or Valkey's near copies, can answer without a coroutine
        # (`get_nowait`; its None means "ask `get`").
        self._get_nowait: Callable[[str], bytes | None] | None = getattr(cache, "get_nowait", None)
        # Whether a None from `get_nowait` is a miss (an in-process cache) or "ask `get`".
        self._nowait_final = self._get_nowait is not None and getattr(
            cache, "get_nowait_is_final", False
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        query: bytes = scope["query_string"]
        # Absurd query strings are refused before anything else (here rather than in a
        # layer of their own: every layer costs every cache hit).
        if len(query) > self.max_query_length:
            started = time.perf_counter()
            await _send_too_long(send, self.max_query_length)
            self._record(path, scope["method"])(414, time.perf_counter() - started)
            return
        method: str = scope["method"]
        if method not in ("GET", "HEAD") or not path.startswith(CACHED_PREFIXES):
            await self.app(scope, receive, send)
            return
        hot = self._hot.get((path, query))
        key = hot.key if hot is not None else await self._key_or_refuse(path, query, method, send)
        if key is None:
            return
        raw = self._get_nowait(key) if self._get_nowait else None
        if raw is None and not self._nowait_final:  # Valkey: not among its near copies
            raw = await self.cache.get(key)
        if raw is None:
            hot = None
        elif hot is None or raw != hot.raw:  # `==` on the very same bytes object is instant
            hot = self._remember(path, query, key, raw)  # None when unreadable
        if hot is None:  # absent or unreadable: the app answers and its answer replaces it
            self.counts.miss += 1
            self._forget(path, query)
            storing = _StoringSend(self, scope, send, key)
            if method == "HEAD":  # the routes answer GET; HEAD is that answer, body left out
                scope = {**scope, "method": "GET", REQUEST_METHOD: "HEAD"}
            await self.app(scope, receive, storing)
            return
        started = time.perf_counter()
        if hot.entry.swr:
            self.counts.stale += 1
        else:
            self.counts.hit += 1
        if method == "GET" and _header(scope, b"if-none-match") is None:
            await send(hot.start_message(self.clock()))
            await send(hot.body)
            hot.record(hot.entry.status, time.perf_counter() - started)
            return
        status = await self._send_conditional(scope, send, hot)
        record = hot.record if method == "GET" else self._record(path, method)
        record(status, time.perf_counter() - started)

    async def _key_or_refuse(self, path: str, query: bytes, method: str, send: Send) -> str | None:
        """The canonical cache key; None once a 422 was sent for a repeated parameter
        (ambiguous: which of its values would be meant?)."""
        try:
            return cache_key(path, query)
        except RepeatedParameterError as exc:
            started = time.perf_counter()
            await _send_error(send, 422, repeated_parameter_body(exc))
            self._record(path, method)(422, time.perf_counter() - started)
            return None

    def _remember(self, path: str, query: bytes, key: str, raw: bytes) -> Hot | None:
        """Prepare the hit for `raw`; None when it cannot be read (another version's format,
        or damage), which the caller treats as a miss rather than answering 500."""
        try:
            hot = Hot(key, raw, self._record(path, "GET"))
        except ValueError as exc:  # what `Entry.decode` raises on bytes it cannot read
            logger.warning("unreadable response cache entry %s, answered as a miss: %s", key, exc)
            return None
        self._forget(path, query)
        size = _prepared_size(hot)
        if size > self.prepared_max_bytes:
            return hot  # sent, not kept: it alone would exceed the bound
        if self.prepared_bytes + size > self.prepared_max_bytes:
            self._hot.clear()  # full: start over (a prepared hit is rebuilt on its next hit)
            self.prepared_bytes = 0
        self._hot[path, query] = hot
        self.prepared_bytes += size
        return hot

    def _forget(self, path: str, query: bytes) -> None:
        hot = self._hot.pop((path, query), None)
        if hot is not None:
            self.prepared_bytes -= _prepared_size(hot)

    def _record(self, path: str, method: str) -> Record:
        if self.recorder_for is None:
            return _no_record
        return self.recorder_for(path, method)

    async def _send_conditional(self, scope: Scope, send: Send, hot: Hot) -> int:
        """Answer a HEAD or a request with `If-None-Match` from `hot`; return the status."""
        entry = hot.entry
        age = (b"age", b"%d" % max(0, int(self.clock() - entry.stored_at)))
        if etag_matches(_header(scope, b"if-none-match"), entry.etag):
            not_modified = [(k, b"0" if k == b"content-length" else v) for k, v in hot.headers]
            start = {"type": "http.response.start", "status": 304, "headers": [*not_modified, age]}
            await send(start)
            await send({"type": "http.response.body", "body": b""})
            return 304
        start = {
            "type": "http.response.start",
            "status": entry.status,
            "headers": [*hot.headers, age],
        }
        await send(start)
        body = b"" if scope["method"] == "HEAD" else entry.body
        await send({"type": "http.response.body", "body": body})
        return entry.status

    async def store(
        self, key: str, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> None:
        """Store a finished response when its headers allow it (called by `_StoringSend`)."""
        values = dict(headers)
        cache_control = values.get(b"cache-control", b"")
        match = _MAX_AGE.search(cache_control)
        if status not in CACHEABLE_STATUSES or b"public" not in cache_control or match is None:
            return
        max_age = int(match.group(1))
        age = int(values.get(b"age", b"0") or 0)
        etag = values.get(b"etag") or make_etag(body)
        ttl = max_age - age
        swr = _SWR.search(cache_control)
        if swr:  # stale, its refresh queued: reused briefly, so the refresh soon shows
            if self.stale_ttl <= 0:
                return
            ttl = self.stale_ttl
        entry = Entry(
            status, self.clock() - age, max_age, etag, body, int(swr.group(1)) if swr else 0
        )
        try:
            await self.cache.set(key, entry.encode(), ttl)
        except Exception:  # the cache is an optimisation: never fail a response for it
            logger.exception("could not store %s in the response cache", key)


def _prepared_size(hot: Hot) -> int:
    return len(hot.raw) + len(hot.entry.body) + PREPARED_HIT_OVERHEAD


def repeated_parameter_body(exc: RepeatedParameterError) -> bytes:
    """A 422 body shaped like FastAPI's validation errors (`error` and `detail`)."""
    message = "Input should be given once"
    detail = {"type": "repeated", "loc": ["query", exc.name], "msg": message, "input": exc.values}
    return dump_json({"error": f"Invalid request: {exc.name}: {message}", "detail": [detail]})


async def _send_too_long(send: Send, max_length: int) -> None:
    body = dump_json({"error": f"The query string is longer than {max_length} characters."})
    await _send_error(send, 414, body)


async def _send_error(send: Send, status: int, body: bytes) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", b"%d" % len(body)),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _StoringSend:
    """Wraps `send` to add an ETag, answer `If-None-Match`, and store the response."""

    def __init__(
        self, middleware: ResponseCacheMiddleware, scope: Scope, send: Send, key: str
    ) -> None:
        self.middleware = middleware
        self.scope = scope
        self.send = send
        self.key = key
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            return
        if message["type"] != "http.response.body" or self.start is None:
            await self.send(message)
            return
        self.chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        await self._finish(b"".join(self.chunks))

    async def _finish(self, body: bytes) -> None:
        assert self.start is not None
        status: int = self.start["status"]
        headers: list[tuple[bytes, bytes]] = list(self.start.get("headers", []))
        if status in CACHEABLE_STATUSES:
            etag = make_etag(body)
            headers.append((b"etag", etag))
            await self.middleware.store(self.key, status, headers, body)
            if etag_matches(_header(self.scope, b"if-none-match"), etag):
                status, body = 304, b""
                headers = [(k, b"0" if k == b"content-length" else v) for k, v in headers]
        if self.scope["method"] == "HEAD":
            body = b""  # the headers (content-length included) stay those of the GET answer
        await self.send({**self.start, "status": status, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})
