"""A frozen Valkey (SIGSTOP: it accepts connections, never answers) behind the circuit
breakers of the cache, the throttle store and the flight lock (issue 12, defect 4): the
first calls pay the socket timeout, then the breaker opens and calls skip Valkey at once;
after SIGCONT a probe closes the breaker and Valkey is used again.

Each adapter gets a short socket timeout and cool-down so the test stays quick; the
session's shared server is always resumed, even when a test fails half-way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

import pytest
from valkey.asyncio import Valkey

from app.adapters.cache.valkey import ValkeyCache
from app.adapters.circuit_breaker import CircuitBreaker
from app.adapters.locks.valkey import ValkeyFlightLock
from app.adapters.throttle.valkey import ValkeyThrottleStore
from app.services.throttle import ThrottleConfig
from tests.valkey_server import ValkeyProcess

pytestmark = pytest.mark.valkey

TIMEOUT = 0.2  # socket timeout: a frozen call costs about twice this (one retry)
COOLDOWN = 0.5
FAST = 0.05  # what a skipped call may take at most (it takes microseconds)


def breaker(name: str, changes: list[bool]) -> CircuitBreaker:
    return CircuitBreaker(name, threshold=2, cooldown=COOLDOWN, on_change=changes.append)


def client(url: str) -> Valkey:
    made: Valkey = Valkey.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    return made


@contextmanager
def frozen(server: ValkeyProcess) -> Iterator[None]:
    server.pause()
    try:
        yield
    finally:
        server.resume()


async def timed(call: Callable[[], Awaitable[object]]) -> float:
    started = time.monotonic()
    await call()
    return time.monotonic() - started


async def check_breaker(
    call: Callable[[], Awaitable[object]],
    circuit: CircuitBreaker,
    server: ValkeyProcess,
) -> None:
    """Freeze Valkey: two slow failures open the breaker, then 50 calls are fast; thaw
    it: after the cool-down one probe closes the breaker."""
    await call()  # a live connection in the pool
    assert not circuit.is_open
    with frozen(server):
        slow = [await timed(call) for _ in range(2)]
        assert circuit.is_open
        fast = [await timed(call) for _ in range(50)]
    assert all(TIMEOUT * 0.9 < t < TIMEOUT * 4 for t in slow), slow
    assert max(fast) < FAST, max(fast)

    await asyncio.sleep(COOLDOWN)
    await call()  # the probe, on a thawed server
    assert not circuit.is_open


async def test_the_cache_skips_a_frozen_valkey_and_comes_back(
    valkey_url: str, valkey_server: ValkeyProcess
) -> None:
    changes: list[bool] = []
    circuit = breaker("cache", changes)
    cache = ValkeyCache(client(valkey_url), key_prefix="test:", circuit=circuit)
    try:
        await cache.set("key", b"v", 60)
        await check_breaker(lambda: cache.get("key"), circuit, valkey_server)
        assert await cache.get("key") == b"v"  # Valkey answers again, with its data
    finally:
        await cache.close()
    assert changes == [False, True, False]


async def test_the_throttle_store_skips_a_frozen_valkey_and_comes_back(
    valkey_url: str, valkey_server: ValkeyProcess
) -> None:
    changes: list[bool] = []
    circuit = breaker("throttle", changes)
    config = ThrottleConfig(start_delay=0.0, min_delay=0.0)
    store = ValkeyThrottleStore(
        client(valkey_url), config, key_prefix="test:throttle:", circuit=circuit
    )
    try:
        await check_breaker(lambda: store.reserve(space=True), circuit, valkey_server)
        valkey_server.command("DEL", "test:throttle:state")
        await store.reserve(space=True)
        assert valkey_server.command("HEXISTS", "test:throttle:state", "last_slot") == b":1"
    finally:
        await store.close()
    assert changes == [False, True, False]


async def test_the_flight_lock_skips_a_frozen_valkey_and_comes_back(
    valkey_url: str, valkey_server: ValkeyProcess
) -> None:
    changes: list[bool] = []
    circuit = breaker("lock", changes)
    lock = ValkeyFlightLock(client(valkey_url), key_prefix="test:flight:", circuit=circuit)

    keys = iter(range(1000))

    async def hold() -> None:
        # A key per call: SETs that timed out reach the server once it is thawed, and
        # would hold their key until its TTL.
        async with lock.hold(f"career:{next(keys)}"):
            pass

    try:
        await check_breaker(hold, circuit, valkey_server)
        async with lock.hold("career:y"):
            assert valkey_server.command("EXISTS", "test:flight:career:y") == b":1"
    finally:
        await lock.close()
    assert changes == [False, True, False]


async def test_concurrent_callers_during_the_probe_do_not_wait_for_it(
    valkey_url: str, valkey_server: ValkeyProcess
) -> None:
    circuit = breaker("cache", [])
    cache = ValkeyCache(client(valkey_url), key_prefix="test:", circuit=circuit)
    try:
        await cache.set("key", b"v", 60)
        with frozen(valkey_server):
            for _ in range(2):
                await cache.get("key")
            await asyncio.sleep(COOLDOWN)
            probe = asyncio.create_task(timed(lambda: cache.get("key")))
            await asyncio.sleep(0)  # the probe has gone out
            others = [await timed(lambda: cache.get("key")) for _ in range(20)]
            probe_time = await probe
        assert probe_time > TIMEOUT * 0.9
        assert max(others) < FAST
        assert circuit.state == "open"  # the probe failed: another cool-down
    finally:
        await cache.close()
