"""How stored payloads are encoded: compact JSON, zstd frames, and decoding errors.

Both adapters serialise `parsed` with `dump_json` and read it back with `load_json`, so
they normalise values identically (tuples become lists, dict keys become strings).
The SQLite adapter also zstd-compresses `raw` and `parsed` with `pack` / `unpack`.

Example:
    >>> raw_blob, parsed_blob = await pack(b"<html>", {"name": "Ana"})  # doctest: +SKIP
    >>> await unpack("static_data", "heroes:en-us", raw_blob, parsed_blob)  # doctest: +SKIP
    (b'<html>', {'name': 'Ana'})

A row that cannot be decoded (damage, a foreign writer, a bug) is not an error for the
caller: every adapter reads it through `UnreadableRows.absent`, which logs it once with
its table and key, reports it to the adapter's `on_decode_error` hook (a metric), and
answers None, so the service fetches it again upstream and the write replaces it.

    >>> rows = UnreadableRows(on_decode_error=lambda table: None)
    >>> await rows.absent(static_from_row(key, row))  # doctest: +SKIP
    None
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

import zstandard

from app.adapters.storage.errors import StorageCorruptionError
from app.ports import JSONValue

logger = logging.getLogger(__name__)

DecodeErrorObserver = Callable[[str], None]
"""Called with the table name each time a stored row cannot be decoded."""

ZSTD_LEVEL = 3
"""zstd's default: ~10x on HTML at several hundred MB/s; higher levels cost CPU for little."""

OFFLOAD_BYTES = 16 * 1024
"""Payloads at least this big are (de)compressed on a worker thread.

zstd releases the GIL, so a thread keeps the event loop free. Below this size the work
takes tens of microseconds, about what the hop to a thread costs, so it runs inline.
JSON always runs inline: the C encoder holds the GIL, a thread would not help the loop.
"""


def dump_json(value: JSONValue) -> str:
    """Compact JSON (no spaces, UTF-8 kept as is); raises TypeError for non-JSON values."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def load_json(text: str | bytes) -> JSONValue:
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


async def pack(raw: bytes, parsed: JSONValue) -> tuple[bytes, bytes]:
    """Compress `raw` and the JSON of `parsed`, off the event loop when they are big."""
    parsed_json = dump_json(parsed).encode()
    return await _run(lambda: (compress(raw), compress(parsed_json)), len(raw) + len(parsed_json))


async def unpack(
    table: str, key: str, raw_blob: object, parsed_blob: object
) -> tuple[bytes, JSONValue]:
    """Inverse of `pack`; any decoding failure becomes `StorageCorruptionError`."""
    if not isinstance(raw_blob, bytes) or not isinstance(parsed_blob, bytes):
        raise StorageCorruptionError(table, key, "payload columns are not BLOBs")
    try:
        size = _content_size(raw_blob) + _content_size(parsed_blob)
        raw, parsed_json = await _run(lambda: (decompress(raw_blob), decompress(parsed_blob)), size)
        return raw, load_json(parsed_json)
    except (zstandard.ZstdError, ValueError) as exc:  # JSON and UTF-8 errors are ValueErrors
        raise StorageCorruptionError(table, key, f"cannot decode payload: {exc}") from exc


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
            logger.warning(
                "unreadable row in %s (key %r) treated as absent and refetched: %s",
                exc.table,
                exc.key,
                exc.detail,
            )
            try:
                self._on_decode_error(exc.table)
            except Exception:  # a metrics bug must not turn the miss into an error
                logger.exception("storage on_decode_error callback failed")
            return None
