"""Errors raised by every `Storage` adapter, so services can catch one family.

Example:
    >>> try:
    ...     record = await storage.get_player(blizzard_id)  # doctest: +SKIP
    ... except StorageCorruptionError:
    ...     record = None  # treat an unreadable row as a miss and refetch upstream
"""

from __future__ import annotations

from app.domain.errors import OwdataError


class StorageError(OwdataError):
    """Base class of storage failures that are not plain driver errors."""


class StorageClosedError(StorageError):
    """The storage was used after `close()`."""

    def __init__(self) -> None:
        super().__init__("storage is closed")


class StorageCorruptionError(StorageError):
    """A stored row cannot be decoded (bad zstd frame, invalid JSON, wrong column type).

    `table` and `key` name the row so an operator can inspect or delete it.
    """

    def __init__(self, table: str, key: str, detail: str) -> None:
        super().__init__(f"corrupt row in {table} (key {key!r}): {detail}")
        self.table = table
        self.key = key
        self.detail = detail


class SchemaVersionError(StorageError):
    """The database was written by a newer owdata whose schema this code does not know."""

    def __init__(self, found: int, supported: int) -> None:
        super().__init__(
            f"database schema version {found} is newer than this owdata supports "
            f"({supported}); upgrade owdata or point it at another database file"
        )
        self.found = found
        self.supported = supported
