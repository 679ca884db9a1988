"""How stored payloads are encoded: compact JSON, zstd frames, and decoding errors.

Every storage adapter (memory, SQLite, PostgreSQL) serialises `parsed` with `dump_json`
and reads it back with `load_json`, so they normalise values identically (tuples become
lists, dict keys become strings). The SQLite and PostgreSQL adapters also zstd-compress
`raw` and `parsed` with `pack` and read them back with `unpack`.

JSON is written and read with orjson (see the README's *Stored profiles* section): the same
compact UTF-8 JSON `json.dumps(value, separators=(",", ":"), ensure_ascii=False)` wrote
before (byte for byte on every captured career; only some floats are spelt otherwise,
`1e-7` for `1e-07`), so rows written by either version read the same in both; text
orjson refuses (`NaN`, which `json.dumps` could write) is read with the standard library.

`unpack` leaves the raw page compressed: it comes back as a `RawPage` decoded only when
read (a re-parse), and `pack` stores such a page's frame as it is, without decompressing
and compressing it again. Given a `DecodedCache` (player profiles), it reuses the value
decoded from the very same `parsed` bytes instead of decoding them again.

Example:
    >>> raw_blob, b = await pack(b"<html>", {"name": "Ana"})  # doctest: +SKIP
    >>> raw, parsed = await unpack("static_data", "heroes:en-us", raw_blob, b)  # doctest: +SKIP
    >>> parsed, await raw.read()  # doctest: +SKIP
    ({'name': 'Ana'}, b'<html>')

A row that cannot be decoded (damage, a foreign writer, a bug) is not an error for the
caller: every adapter reads it through `UnreadableRows.absent`, which logs it once with
its table and key, reports it to the adapter's `on_decode_error` hook (a metric), and
answers None, so the service fetches it again upstream and the write replaces it. A
claimed refresh job that cannot be decoded goes through `UnreadableRows.readable_claim`:
reported the same way, marked dead, and the next due job claimed instead.

    >>> rows = UnreadableRows(on_decode_error=lambda table: None)
    >>> await rows.absent(static_from_row(key, row))  # doctest: +SKIP
    None
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

import orjson
import zstandard

from app.adapters.storage.decoded_cache import DecodedCache
from app.adapters.storage.errors import StorageCorruptionError
from app.ports import Job, JSONValue, RawPage, UnreadablePageError

logger = logging.getLogger(__name__)

DecodeErrorObserver = Callable[[str], None]
"""Called with the table name each time a stored row cannot be decoded."""

OperationObserver = Callable[[str, str, float, bool], None]
"""Called after each storage operation with (table, operation, duration in seconds, ok)."""


def ignore_operation(table: str, operation: str, duration: float, ok: bool) -> None:
    """The `OperationObserver` of a storage opened without one."""


ZSTD_LEVEL = 3
"""zstd's default: ~10x on HTML at several hundred MB/s; higher levels cost CPU for little."""

OFFLOAD_BYTES = 16 * 1024
"""Payloads at least this big are (de)compressed on a worker thread.

zstd releases the GIL, so a thread keeps the event loop free. Below this size the work
takes tens of microseconds, about what the hop to a thread costs, so it runs inline.
JSON always runs inline: the C encoder holds the GIL, a thread would not help the loop.
"""


_JSON_OPTIONS = orjson.OPT_NON_STR_KEYS  # int keys become strings, as `json.dumps` did


def dump_json_bytes(value: JSONValue) -> bytes:
    """Compact UTF-8 JSON; raises TypeError for values JSON cannot hold (NaN and
    infinities become `null`, where `json.dumps` wrote non-standard `NaN`)."""
    return orjson.dumps(value, option=_JSON_OPTIONS)


def dump_json(value: JSONValue) -> str:
    """Compact JSON (no spaces, UTF-8 kept as is); raises TypeError for non-JSON values."""
    return dump_json_bytes(value).decode()


def load_json(text: str | bytes) -> JSONValue:
    """Parse JSON; rows `json.dumps` wrote with `NaN` or `Infinity` still read."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def compress(data: bytes) -> bytes:
    # Module-level helpers build a fresh context per call: contexts are not thread-safe.
    result: bytes = zstandard.compress(data, ZSTD_LEVEL)
    return result


def decompress(blob: bytes) -> bytes:
    # Our frames record their content size, so no output limit is needed.
    result: bytes = zstandard.decompress(blob)
    return result


def _content_size(blob: bytes) -> int:
    """Decompressed size from the frame header (raises ZstdError if there is none)."""
    size: int = zstandard.frame_content_size(blob)
    return max(size, len(blob))  # -1 when the header does not say


async def _run[T](work: Callable[[], T], size: int) -> T:
    if size < OFFLOAD_BYTES:
        return work()
    return await asyncio.to_thread(work)


class ZstdPages:
    """`app.ports.PageCodec` of the zstd frames `pack` writes."""

    def decode(self, data: bytes) -> bytes:
        try:
            return decompress(data)
        except zstandard.ZstdError as exc:
            raise UnreadablePageError(f"stored page is not a zstd frame: {exc}") from exc

    async def read(self, data: bytes) -> bytes:
        try:
            size = _content_size(data)
        except zstandard.ZstdError as exc:
            raise UnreadablePageError(f"stored page is not a zstd frame: {exc}") from exc
        return await _run(lambda: self.decode(data), size)


ZSTD_PAGES = ZstdPages()


async def pack(raw: bytes | RawPage, parsed: JSONValue) -> tuple[bytes, bytes]:
    """Compress `raw` and the JSON of `parsed`, off the event loop when they are big.

    A `RawPage` read back from a zstd column is stored as the frame it already is."""
    parsed_json = dump_json_bytes(parsed)
    if isinstance(raw, RawPage):
        if raw.codec is ZSTD_PAGES:
            return raw.encoded, await _run(lambda: compress(parsed_json), len(parsed_json))
        raw = await raw.read()
    page = raw
    return await _run(lambda: (compress(page), compress(parsed_json)), len(page) + len(parsed_json))


async def unpack(
    table: str,
    key: str,
    raw_blob: object,
    parsed_blob: object,
    decoded: DecodedCache | None = None,
) -> tuple[RawPage, JSONValue]:
    """Inverse of `pack`, with the raw page left compressed (a `RawPage`, decoded when
    read); a decoding failure of `parsed` becomes `StorageCorruptionError` (a damaged raw
    page only shows when it is read: `UnreadablePageError`).

    With `decoded`, a value decoded before from the same `parsed_blob` bytes is reused:
    it is shared, so callers must not mutate it (see `PlayerRecord`)."""
    if not isinstance(raw_blob, bytes) or not isinstance(parsed_blob, bytes):
        raise StorageCorruptionError(table, key, "payload columns are not BLOBs")
    raw = RawPage(raw_blob, ZSTD_PAGES)
    if decoded is not None and (hit := decoded.get(table, key, parsed_blob)) is not None:
        return raw, hit.value
    try:
        _content_size(raw_blob)  # a frame header at least, or the row is damaged
        size = _content_size(parsed_blob)
        parsed_json = await _run(lambda: decompress(parsed_blob), size)
        parsed = load_json(parsed_json)
    except (zstandard.ZstdError, ValueError) as exc:  # JSON and UTF-8 errors are ValueErrors
        raise StorageCorruptionError(table, key, f"cannot decode payload: {exc}") from exc
    if decoded is not None:
        decoded.put(table, key, parsed_blob, parsed, len(parsed_json))
    return raw, parsed


def load_json_column(table: str, key: str, text: object) -> JSONValue:
    """Decode a nullable JSON TEXT column (SQL NULL stands for None)."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise StorageCorruptionError(table, key, "JSON column is not TEXT")
    try:
        return load_json(text)
    except ValueError as exc:
        raise StorageCorruptionError(table, key, f"invalid JSON: {exc}") from exc


def _ignore_decode_error(table: str) -> None:
    return None


class UnreadableRows:
    """Turns rows that cannot be decoded into absent ones, for every storage adapter.

    The caller sees None (a miss): the service answers from upstream and its write
    replaces the damaged row. Each occurrence is logged once (table, key, reason) and
    reported to `on_decode_error`.
    """

    def __init__(self, on_decode_error: DecodeErrorObserver | None = None) -> None:
        self._on_decode_error = on_decode_error or _ignore_decode_error

    async def absent[R](self, decoded: Awaitable[R]) -> R | None:
        """`await decoded`, or None if it raised `StorageCorruptionError`."""
        try:
            return await decoded
        except StorageCorruptionError as exc:
            self._report(exc, "treated as absent and refetched")
            return None

    async def readable_claim(
        self,
        claim: Callable[[], Awaitable[Job | None]],
        bury: Callable[[str, str], Awaitable[object]],
    ) -> Job | None:
        """`await claim()` until it gives a job that can be decoded, or None.

        A claimed job whose row cannot be decoded (its payload) is reported like any
        unreadable row and buried (`bury(key, reason)`: marked dead by its claimant, the
        reason in `last_error`), so it is neither run nor claimed again, and the next due
        job is claimed in its place.
        """
        while True:
            try:
                return await claim()
            except StorageCorruptionError as exc:
                self._report(exc, "marked dead")
                await bury(exc.key, f"unreadable row: {exc.detail}")

    def _report(self, exc: StorageCorruptionError, outcome: str) -> None:
        logger.warning(
            "unreadable row in %s (key %r) %s: %s", exc.table, exc.key, outcome, exc.detail
        )
        try:
            self._on_decode_error(exc.table)
        except Exception:  # a metrics bug must not turn the miss into an error
            logger.exception("storage on_decode_error callback failed")
