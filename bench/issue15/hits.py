"""Hits and storage-served answers: throughput and server CPU per request.

- Valkey-backed vs in-process hit: two `owdata serve` processes on the same route, one
  with `VALKEY_URL`; wrk rounds of alternating order; req/s and the server's CPU time per
  hit (from /proc, steadier than req/s on a shared machine).
- Storage-served vs cached hit: one server whose in-process cache is too small
  (`MEMORY_CACHE_MAX_BYTES` at its 1 MiB minimum) for a cycle of distinct player answers
  (routes, game modes, platforms, heroes of the three captured players): in least-recently-
  used order each of them is evicted before it comes round again, so every one is a
  response-cache miss answered from the stored (fresh) profile; checked on each answer.
  Its CPU per request is measured beside that of a hit of the same server, in batches
  of alternating order.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.harness import alternating, cpu_seconds, progress, wrk
from bench.issue15.servers import PLAYERS, Server, owdata

CACHE_BYTES = 1024 * 1024
HIT_FACTOR = 20
"""Hit batches are this many times longer than miss batches (a hit costs far less)."""


@dataclass
class Side:
    label: str
    rps: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu_us)


def valkey_vs_memory(
    upstream: str, valkey_url: str, workdir: Path, path: str, seconds: int, rounds: int
) -> tuple[Side, Side]:
    """(in-process, Valkey-backed) hits of `path`."""
    memory, shared = Side("in-process hit"), Side("Valkey-backed hit")
    progress("starting owdata twice: in-process cache, and Valkey")
    with (
        owdata(upstream, workdir / "memory.db", {}) as in_process,
        owdata(upstream, workdir / "valkey.db", {"VALKEY_URL": valkey_url}) as with_valkey,
    ):
        sides = [(memory, in_process), (shared, with_valkey)]
        for _, server in sides:
            _expect(server, path, "miss")
            _expect(server, path, "hit")
            wrk(server.url + path, seconds=1)  # warm-up
        for i in range(rounds):
            for side, server in alternating(sides, i):
                progress(f"{side.label}: round {i + 1}/{rounds} ({seconds} s)")
                before = cpu_seconds(server.pid)
                load = wrk(server.url + path, seconds=seconds)
                used = cpu_seconds(server.pid) - before
                side.rps.append(load.requests_per_second)
                side.cpu_us.append(used / (load.requests_per_second * seconds) * 1e6)
    return memory, shared


def _expect(server: Server, path: str, status: str) -> httpx.Response:
    answer = httpx.get(server.url + path, timeout=60)
    answer.raise_for_status()
    if answer.headers.get("x-cache-status") != status:
        raise RuntimeError(f"{path}: expected a {status}, got {dict(answer.headers)}")
    return answer


def miss_cycle(server: Server, hot: str) -> list[str]:
    """Distinct player answers (200s, but `hot`) whose bytes far exceed a 1 MiB cache."""
    heroes = [h["key"] for h in httpx.get(server.url + "/heroes", timeout=60).json()]
    paths = []
    for player in PLAYERS:
        base = f"/players/{player}"
        paths += [f"{base}/summary", f"{base}/stats/summary"]
        for mode in ("quickplay", "competitive"):
            for platform in ("", "&platform=pc"):
                for route in ("stats/career", "stats"):
                    query = f"gamemode={mode}{platform}"
                    paths += [f"{base}/{route}?{query}&hero={h}" for h in heroes]
    progress(f"checking {len(paths)} storage-served paths")
    cycle, size, largest = [], 0, 0
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for path in paths:
            answer = client.get(path)
            if path != hot and answer.status_code == 200:
                cycle.append(path)
                size += len(answer.content)
                largest = max(largest, len(answer.content))
    # In LRU order an entry is evicted before its turn comes again when what is stored
    # after it (the rest of the cycle) exceeds the cache.
    if size - largest <= CACHE_BYTES:
        raise RuntimeError(f"the miss cycle holds {size} bytes: too few to miss every time")
    return cycle


def storage_vs_hit(
    upstream: str, workdir: Path, requests: int, rounds: int
) -> tuple[Side, Side, int]:
    """(storage-served, cached hit) CPU per request; and the cycle's length."""
    storage, hit = Side("storage-served miss"), Side("cached hit, same server")
    env = {"MEMORY_CACHE_MAX_BYTES": str(CACHE_BYTES)}
    with owdata(upstream, workdir / "storage.db", env) as server:
        progress("storing the captured players' profiles (first requests go upstream)")
        for player in PLAYERS:
            httpx.get(f"{server.url}/players/{player}/summary", timeout=120).raise_for_status()
        hot = f"/players/{PLAYERS[0]}/summary"
        cycle = miss_cycle(server, hot)
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for i in range(rounds):
                for side in alternating([storage, hit], i):
                    progress(f"{side.label}: round {i + 1}/{rounds} ({requests} requests)")
                    if side is hit:  # many more: /proc counts CPU in 10 ms ticks
                        client.get(hot)  # the miss cycle may have evicted it
                        paths, expected = [hot] * (requests * HIT_FACTOR), "hit"
                    else:
                        paths = [cycle[(i * requests + n) % len(cycle)] for n in range(requests)]
                        expected = "miss"
                    before = cpu_seconds(server.pid)
                    for path in paths:
                        answer = client.get(path)
                        if answer.headers.get("x-cache-status") != expected:
                            raise RuntimeError(f"{path} was not a {expected}: {answer.headers}")
                    used = cpu_seconds(server.pid) - before
                    side.cpu_us.append(used / len(paths) * 1e6)
    return storage, hit, len(cycle)
