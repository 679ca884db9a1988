"""ValkeyCache specifics: key namespacing, SCAN batching, and surviving a Valkey outage.

These tests stop, pause and restart the session's shared server; `valkey_url` starts it
again for the next test if one fails half-way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import pytest
from valkey.asyncio import Valkey

from app.adapters.cache.valkey import ValkeyCache, escape_glob
from app.adapters.circuit_breaker import CircuitBreaker
from tests.valkey_server import ValkeyProcess

pytestmark = pytest.mark.valkey

TTL = 60.0
LOGGER = "app.adapters.cache.valkey"


class ErrorLog:
    """An `on_error` hook that records the operation names it is called with."""

    def __init__(self) -> None:
        self.operations: list[str] = []

    def __call__(self, operation: str) -> None:
        self.operations.append(operation)


@pytest.fixture
def errors() -> ErrorLog:
    return ErrorLog()


@pytest.fixture
async def cache(valkey_url: str, errors: ErrorLog) -> AsyncIterator[ValkeyCache]:
    # A breaker that never opens here: these tests look at each failing command
    # (test_valkey_circuit.py covers skipping Valkey once it keeps failing).
    circuit = CircuitBreaker("cache", threshold=1000)
    cache = ValkeyCache.from_url(valkey_url, key_prefix="test:", on_error=errors, circuit=circuit)
    try:
        yield cache
    finally:
        await cache.close()


def test_escape_glob() -> None:
    assert escape_glob("a*b?c[d]e\\f-^g") == "a\\*b\\?c\\[d\\]e\\\\f-^g"


async def test_keys_are_stored_under_the_prefix(
    cache: ValkeyCache, valkey_server: ValkeyProcess
) -> None:
    await cache.set("heroes", b"v", TTL)

    assert valkey_server.command("EXISTS", "test:heroes") == b":1"
    assert valkey_server.command("EXISTS", "heroes") == b":0"


async def test_ttl_is_set_in_milliseconds(cache: ValkeyCache, valkey_server: ValkeyProcess) -> None:
    await cache.set("key", b"v", 1.5)
    await cache.set("tiny", b"v", 0.0001)  # rounds up to 1 ms instead of PX 0 (an error)
    await cache.set("forever", b"v", float("inf"))

    pttl = int(valkey_server.command("PTTL", "test:key")[1:])
    assert 1000 < pttl <= 1500
    assert valkey_server.command("PTTL", "test:tiny") in {b":1", b":0", b":-2"}  # -2: gone
    assert valkey_server.command("PTTL", "test:forever") == b":-1"


async def test_caches_with_different_prefixes_do_not_see_each_other(valkey_url: str) -> None:
    # The second prefix is what an unescaped "ow*:" pattern would also match.
    first = ValkeyCache.from_url(valkey_url, key_prefix="ow*:")
    second = ValkeyCache.from_url(valkey_url, key_prefix="owx:")
    try:
        await first.set("key", b"first", TTL)
        await second.set("key", b"second", TTL)
        assert await first.get("key") == b"first"
        assert await second.get("key") == b"second"

        await first.delete("key")
        assert await second.get("key") == b"second"

        await first.set("key", b"first", TTL)
        assert await first.delete_prefix("") == 1
        assert await second.get("key") == b"second"
    finally:
        await first.close()
        await second.close()


async def test_delete_prefix_scans_in_batches(valkey_url: str) -> None:
    cache = ValkeyCache(Valkey.from_url(valkey_url), key_prefix="batch:", scan_count=7)
    try:
        for index in range(95):
            await cache.set(f"k{index}", b"v", TTL)

        assert await cache.delete_prefix("k") == 95
        assert await cache.get("k42") is None
    finally:
        await cache.close()


async def test_ping(cache: ValkeyCache) -> None:
    assert await cache.ping() is True


async def test_degrades_while_valkey_is_down_and_recovers_after_restart(
    cache: ValkeyCache,
    valkey_server: ValkeyProcess,
    errors: ErrorLog,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await cache.set("before", b"v", TTL)  # the pool now holds a live connection
    valkey_server.stop(cleanup=False)
    caplog.set_level(logging.INFO, logger=LOGGER)

    assert await cache.get("before") is None
    await cache.set("key", b"v", TTL)
    await cache.delete("key")
    assert await cache.delete_prefix("") == 0
    assert await cache.get("key") is None
    assert await cache.ping() is False  # health checks are not reported as errors

    assert errors.operations == ["get", "set", "delete", "delete_prefix", "get"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, "failures must not flood the log"
    assert "Valkey get failed" in warnings[0].getMessage()

    valkey_server.restart()  # same port, same client: the pool reconnects by itself

    await cache.set("after", b"v", TTL)
    assert await cache.get("after") == b"v"
    assert await cache.ping() is True
    assert len(errors.operations) == 5
    assert any("answering again" in r.getMessage() for r in caplog.records)


async def test_a_restart_between_commands_goes_unnoticed(
    cache: ValkeyCache, valkey_server: ValkeyProcess, errors: ErrorLog
) -> None:
    await cache.set("key", b"v", TTL)  # leaves a connection in the pool

    valkey_server.restart()  # that connection is now closed by the server

    assert await cache.get("key") is None  # nothing persisted, but no error either
    await cache.set("key", b"v2", TTL)
    assert await cache.get("key") == b"v2"
    assert errors.operations == []


async def test_a_hung_server_costs_a_bounded_delay(
    valkey_url: str, valkey_server: ValkeyProcess, errors: ErrorLog
) -> None:
    cache = ValkeyCache.from_url(valkey_url, socket_timeout=0.2, on_error=errors)
    try:
        await cache.set("key", b"v", TTL)
        valkey_server.pause()
        try:
            started = time.monotonic()
            assert await cache.get("key") is None
            elapsed = time.monotonic() - started
        finally:
            valkey_server.resume()
        # One timed-out read plus one retry on a new connection, and a little slack.
        assert elapsed < 2.0
        assert errors.operations == ["get"]

        assert await cache.get("key") == b"v"
    finally:
        await cache.close()


async def test_a_failing_error_hook_does_not_break_the_cache(
    valkey_url: str, valkey_server: ValkeyProcess
) -> None:
    def broken_hook(operation: str) -> None:
        raise RuntimeError(f"metrics are broken too ({operation})")

    cache = ValkeyCache.from_url(valkey_url, on_error=broken_hook)
    valkey_server.stop(cleanup=False)
    try:
        assert await cache.get("key") is None
        await cache.set("key", b"v", TTL)
    finally:
        valkey_server.start()
        await cache.close()
