"""Pytest fixtures for tests that need a real PostgreSQL server (mark them `postgres`).

* `postgres_server` (session): one started `PostgresProcess` for the whole run, stopped
  at the end. Tests may `stop()`/`restart()` it; `postgres_url` starts it again if needed.
* `postgres_url` (function): the URL of a new, empty database on it, so tests never see
  each other's rows (dropped afterwards: each one takes several MB of disk).

Without Debian's `postgresql` binaries the tests are skipped, or fail under `CI=true` so
that CI cannot pass by skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.postgres_server import PostgresBinaryMissingError, PostgresProcess, find_postgres_bin

__all__ = ["postgres_server", "postgres_url"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresProcess]:
    """A real PostgreSQL server for the whole test session (skips if there is none)."""
    try:
        server = PostgresProcess(find_postgres_bin())
    except (PostgresBinaryMissingError, KeyError) as error:
        if _in_ci():
            pytest.fail(f"CI requires a PostgreSQL server: {error}", pytrace=False)
        pytest.skip(f"no PostgreSQL server to test against: {error}")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresProcess) -> Iterator[str]:
    """A new, empty database on a running server, dropped after the test."""
    if not postgres_server.running:  # a test that stopped it and failed
        postgres_server.start()
    url = postgres_server.create_database()
    yield url
    if postgres_server.running:
        postgres_server.drop_database(url)
