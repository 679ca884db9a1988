"""RSS of `owdata serve` under a mixed load: hits and distinct unknown players.

A fresh server (in-process cache, throttle spacing off) first answers a set of hit
paths once (heroes, hero pages, the captured players' routes); then `requests` requests
from `clients` concurrent clients: 60% are one of those paths at random (cache hits),
40% a player nobody asked for before (`/players/Nobody<i>-<1000+i>/summary`: upstream
search and career redirect, a 404 remembered in storage and cached). RSS (and its peak)
is read from /proc at start, after the hit set is filled, and at the end.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.harness import progress, rss_kib
from bench.issue15.servers import PLAYERS, owdata

HIT_SHARE = 0.6
PLAYER_ROUTES = ("", "/summary", "/stats/summary", "/stats/career?gamemode=quickplay")
HEROES = ("ana", "mercy", "reinhardt", "tracer", "genji", "kiriko", "dva", "winston")


@dataclass(frozen=True)
class MemoryFigure:
    requests: int
    clients: int
    start_mib: float
    filled_mib: float
    end_mib: float
    peak_mib: float
    statuses: dict[int, int]


def hit_paths() -> list[str]:
    paths = ["/heroes", "/roles", "/maps", "/gamemodes"] + [f"/heroes/{h}" for h in HEROES]
    return paths + [f"/players/{p}{route}" for p in PLAYERS for route in PLAYER_ROUTES]


def mixed_paths(requests: int, seed: int = 15) -> list[str]:
    rng = random.Random(seed)
    hits = hit_paths()
    unknown = 0
    paths = []
    for _ in range(requests):
        if rng.random() < HIT_SHARE:
            paths.append(rng.choice(hits))
        else:
            paths.append(f"/players/Nobody{unknown}-{1000 + unknown}/summary")
            unknown += 1
    return paths


async def _load(base_url: str, paths: list[str], clients: int) -> dict[int, int]:
    statuses: dict[int, int] = {}
    pending = iter(enumerate(paths))
    step = max(1, len(paths) // 10)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as client:

        async def worker() -> None:
            for n, path in pending:  # one shared iterator: each path is sent once
                status = (await client.get(path)).status_code
                statuses[status] = statuses.get(status, 0) + 1
                if (n + 1) % step == 0:
                    progress(f"mixed load: {n + 1}/{len(paths)} requests")

        await asyncio.gather(*(worker() for _ in range(clients)))
    return statuses


def mixed_load_rss(upstream: str, workdir: Path, requests: int, clients: int) -> MemoryFigure:
    mib = 1 / 1024
    with owdata(upstream, workdir / "memory-load.db", {}) as server:
        start = rss_kib(server.pid)[0] * mib
        progress("filling the hit set (the captured players go upstream once)")
        with httpx.Client(base_url=server.url, timeout=120) as client:
            for path in hit_paths():
                client.get(path).raise_for_status()
        filled = rss_kib(server.pid)[0] * mib
        statuses = asyncio.run(_load(server.url, mixed_paths(requests), clients))
        end, peak = (v * mib for v in rss_kib(server.pid))
    return MemoryFigure(requests, clients, start, filled, end, peak, statuses)
