"""A small LRU of decoded `parsed` values, bounded in bytes, checked against the row.

Decoding a stored career (140–320 KB of JSON) costs milliseconds; serving it from storage
again should not. An entry is keyed by (table, key) and remembers the exact stored bytes
(`blob`, the compressed JSON) it was decoded from: it is only reused while the row still
holds those very bytes, so a write by this process, by another process sharing the
database, a move to another key or a delete can never be answered with an old value.
Adapters also `discard` a key they write or delete, so memory is freed at once.

Size: an entry counts its blob plus `DECODED_BYTES_PER_JSON_BYTE` times the length of
its JSON (Python objects of a decoded career take 4.6–4.7 times its compact JSON, measured
with tracemalloc on the captured careers). Least recently used entries go first; a value
bigger than the whole bound is not kept. `max_bytes = 0` keeps nothing.

Values are shared between readers: callers must not mutate them (see `PlayerRecord`).

Example:
    >>> cache = DecodedCache(32 * 1024 * 1024)
    >>> cache.put("player_profiles", "ab%7Ccd", blob, career, json_size=len(text))  # doctest: +SKIP
    >>> cache.get("player_profiles", "ab%7Ccd", blob).value is career  # doctest: +SKIP
    True
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from app.ports import JSONValue

DECODED_BYTES_PER_JSON_BYTE = 5


@dataclass(frozen=True, slots=True)
class Decoded:
    blob: bytes
    value: JSONValue
    size: int


DEFAULT_PROFILE_CACHE_BYTES = 32 * 1024 * 1024
"""Each storage adapter's default budget of decoded profiles (`PROFILE_CACHE_MAX_BYTES`)."""


class DecodedCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[tuple[str, str], Decoded] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, table: str, key: str, blob: bytes) -> Decoded | None:
        """The value decoded from exactly `blob` for this row, or None."""
        entry = self._entries.get((table, key))
        if entry is None:
            return None
        if entry.blob != blob:  # the row changed since: never serve the old value
            self.discard(table, key)
            return None
        self._entries.move_to_end((table, key))
        return entry

    def put(self, table: str, key: str, blob: bytes, value: JSONValue, json_size: int) -> None:
        self.discard(table, key)
        size = len(blob) + DECODED_BYTES_PER_JSON_BYTE * json_size
        if size > self.max_bytes:
            return
        self._entries[(table, key)] = Decoded(blob, value, size)
        self.bytes += size
        while self.bytes > self.max_bytes:
            _, oldest = self._entries.popitem(last=False)
            self.bytes -= oldest.size

    def discard(self, table: str, *keys: str | None) -> None:
        for key in keys:
            if key is not None and (entry := self._entries.pop((table, key), None)):
                self.bytes -= entry.size

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0
