"""Wiring of storage: the SQLite file or PostgreSQL, chosen and opened from settings.

Part of the composition root (`app.bootstrap` opens it with the other adapters; the CLI's
`storage copy` and `serve` use the helpers). Failures to open are one line naming the
setting (`StorageStartupError`), with any password redacted.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from app.adapters.storage.postgres import PostgresStorage
from app.adapters.storage.postgres_pool import PoolOptions
from app.adapters.storage.sqlite import SQLiteStorage
from app.config import Settings
from app.domain.errors import StorageUnavailableError
from app.metrics import Metrics
from app.ports import OutboxStorage


class StorageStartupError(Exception):
    """Storage cannot be opened at start-up; the message is one line naming the setting."""


def redact(url: str) -> str:
    """`url` without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def describe_storage(settings: Settings) -> str:
    """What storage `settings` select, for logs (`PostgreSQL at ...` or the SQLite path)."""
    if settings.database_url:
        return f"PostgreSQL at {redact(settings.database_url)}"
    return f"SQLite at {settings.storage_path}"


def pool_options(settings: Settings) -> PoolOptions:
    return PoolOptions(
        min_size=settings.database_pool_min_size,
        max_size=settings.database_pool_max_size,
        connect_timeout=settings.database_connect_timeout,
        command_timeout=settings.database_command_timeout,
    )


async def open_storage(settings: Settings, metrics: Metrics | None = None) -> OutboxStorage:
    """PostgreSQL when `DATABASE_URL` is set, else the SQLite file at `STORAGE_PATH`.

    Raises `StorageStartupError` (one line, naming the setting) when it cannot be opened.
    """
    observer = metrics.storage_operation if metrics else None
    on_decode_error = metrics.storage_decode_error if metrics else None
    if settings.database_url:
        try:
            return await PostgresStorage.open(
                settings.database_url,
                pool_options(settings),
                on_operation=observer,
                on_decode_error=on_decode_error,
                profile_cache_bytes=settings.profile_cache_max_bytes,
            )
        except Exception as exc:
            detail = (
                exc.detail
                if isinstance(exc, StorageUnavailableError)
                else f"{type(exc).__name__}: {exc}"
            )
            raise StorageStartupError(
                f"DATABASE_URL: cannot use PostgreSQL at {redact(settings.database_url)}: "
                + " ".join(detail.split())
            ) from exc
    try:
        return await SQLiteStorage.open(
            settings.storage_path,
            on_operation=observer,
            on_decode_error=on_decode_error,
            profile_cache_bytes=settings.profile_cache_max_bytes,
        )
    except Exception as exc:
        raise StorageStartupError(
            f"STORAGE_PATH: cannot open SQLite file {settings.storage_path}: "
            + " ".join(f"{type(exc).__name__}: {exc}".split())
        ) from exc
