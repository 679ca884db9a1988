"""A stored response and the prepared hit built from it (the response cache's data).

`Entry` is what the `Cache` port holds for an answer: one header line and the body, as
bytes. `Hot` is a hit ready to send, kept by the middleware for recent answers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import NamedTuple

from starlette.types import Message

Record = Callable[[int, float], None]
"""`record(status, seconds)`: counts one request the response cache answered itself."""


class Entry(NamedTuple):
    """A stored response (a tuple: decoding it is on a hit's path).

    `swr` > 0 marks a stale answer (served while its refresh runs), sent again with its
    `stale-while-revalidate` and `X-Cache-Status: stale`. Encoded as one header line,
    `status stored_at max_age etag[ swr]`, then the body.
    """

    status: int
    stored_at: float
    max_age: int
    etag: bytes
    body: bytes
    swr: int = 0

    def encode(self) -> bytes:
        header = b"%d %.3f %d %s" % (self.status, self.stored_at, self.max_age, self.etag)
        if self.swr:
            header += b" %d" % self.swr
        return header + b"\n" + self.body

    @classmethod
    def decode(cls, raw: bytes) -> Entry:
        """The entry `encode` wrote; ValueError for bytes in any other shape."""
        end = raw.index(b"\n")
        status, stored_at, max_age, etag, *swr = raw[:end].split(b" ")  # an ETag has no space
        body = raw[end + 1 :]
        return cls(
            int(status), float(stored_at), int(max_age), etag, body, int(swr[0]) if swr else 0
        )

    def headers(self) -> list[tuple[bytes, bytes]]:
        """Every header of a hit but `Age` (which depends on the time of the request)."""
        cache_control = b"public, max-age=%d" % self.max_age
        if self.swr:
            cache_control += b", stale-while-revalidate=%d" % self.swr
        return [
            (b"content-type", b"application/json"),
            (b"cache-control", cache_control),
            (b"etag", self.etag),
            (b"x-cache-status", b"stale" if self.swr else b"hit"),
            (b"content-length", b"%d" % len(self.body)),
        ]


def make_etag(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'


def etag_matches(if_none_match: bytes | None, etag: bytes) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix(b"W/") for tag in if_none_match.split(b",")}
    return etag in candidates or b"*" in candidates


class Hot:
    """A hit ready to send: the stored bytes it came from and its two ASGI messages.

    The `http.response.start` message is rebuilt only when the entry's `Age` changes
    (once a second at most), so a hit sends prepared messages.
    """

    __slots__ = ("age", "body", "entry", "headers", "key", "raw", "record", "start")

    def __init__(self, key: str, raw: bytes, record: Record) -> None:
        self.key = key
        self.raw = raw
        self.record = record
        self.entry = entry = Entry.decode(raw)
        self.headers = entry.headers()
        self.body: Message = {"type": "http.response.body", "body": entry.body}
        self.age = -1
        self.start: Message = {}

    def start_message(self, now: float) -> Message:
        age = int(now - self.entry.stored_at)
        if age != self.age:
            self.age = age
            headers = [*self.headers, (b"age", b"%d" % max(0, age))]
            self.start = {
                "type": "http.response.start",
                "status": self.entry.status,
                "headers": headers,
            }
        return self.start
