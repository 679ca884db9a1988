"""The first request after start vs the next cold request of the same kind.

Each run starts a fresh `owdata serve` (ready at its serving line: no probe request)
and sends two response-cache misses of the same kind over new connections (one client,
warmed beforehand, for every run: its own first-request costs are not the server's), A
then B on even runs and B then A on odd ones; the figure is first / next per pair of
runs (the geometric mean of its two ratios: A and B may cost differently).

Both requests of a pair follow the same pause (`PAUSE`) with the server idle: on this
machine a request that wakes an idle process costs about twice one sent right after
another, even on a server warmed by thousands of requests (CPU caches and the wake-up,
not the app), so a first request timed after an idle wait against a second sent at once
measured mostly that (first/next 1.5-2.5 on a fully warm server).
Kinds: a routed answer from curated data (`/maps?gamemode=…`) and a player summary
from storage (two players stored beforehand in a SQLite file copied for each run).
"""

from __future__ import annotations

import math
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.harness import alternating, progress
from bench.issue15.servers import PLAYERS, owdata

WARM_CLIENT_REQUESTS = 20
PAUSE = 0.2
"""Seconds the server idles before each timed request (see the module's docstring)."""
KINDS = {
    "routed miss, curated data": ("/maps?gamemode=control", "/maps?gamemode=push"),
    "player summary from storage": (
        f"/players/{PLAYERS[0]}/summary",
        f"/players/{PLAYERS[1]}/summary",
    ),
}


@dataclass
class FirstFigure:
    kind: str
    first_ms: list[float] = field(default_factory=list)
    next_ms: list[float] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        """first / next per pair of runs (A then B, B then A): the geometric mean of the
        pair's two ratios, which cancels the difference in cost between A and B."""
        each = [f / n for f, n in zip(self.first_ms, self.next_ms, strict=True)]
        return [math.sqrt(a * b) for a, b in zip(each[::2], each[1::2], strict=False)]


def _timed_miss(client: httpx.Client, url: str) -> float:
    time.sleep(PAUSE)  # the same idle time before each request of a pair
    start = time.perf_counter()
    answer = client.get(url)  # `Connection: close`: a new connection each time, for both
    elapsed = (time.perf_counter() - start) * 1000
    answer.raise_for_status()
    if answer.headers.get("x-cache-status") != "miss":
        raise RuntimeError(f"{url} was not a response-cache miss: {dict(answer.headers)}")
    return elapsed


def _stored_players(client: httpx.Client, upstream: str, workdir: Path) -> Path:
    db = workdir / "players.db"
    progress("storing two players for the storage-served kind")
    with owdata(upstream, db, {}) as server:
        for path in KINDS["player summary from storage"]:
            client.get(server.url + path, timeout=120).raise_for_status()
        for _ in range(WARM_CLIENT_REQUESTS):  # hits: the client's own first costs
            client.get(server.url + KINDS["player summary from storage"][0])
    return db


def first_vs_next(upstream: str, workdir: Path, runs: int) -> list[FirstFigure]:
    # One client for every run, warmed before the first: a new httpx client's first
    # request costs it ~0.5 ms more than its second (measured against a warm server:
    # first/next 1.5-1.7 with a client per run, 1.0 with this one), which would be
    # counted as the server's.
    with httpx.Client(headers={"connection": "close"}, timeout=60) as client:
        return _first_vs_next(client, upstream, workdir, runs)


def _first_vs_next(
    client: httpx.Client, upstream: str, workdir: Path, runs: int
) -> list[FirstFigure]:
    stored = _stored_players(client, upstream, workdir)
    figures = []
    for kind, paths in KINDS.items():
        figure = FirstFigure(kind)
        for i in range(runs):
            progress(f"first request, {kind}: fresh server {i + 1}/{runs}")
            run_dir = workdir / f"first-{i}"
            run_dir.mkdir(exist_ok=True)
            db = run_dir / "owdata.db"
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{stored}{suffix}").exists():
                    shutil.copy(f"{stored}{suffix}", f"{db}{suffix}")
            with owdata(upstream, db, {}, http_probe=False) as server:
                first, second = alternating(paths, i)
                figure.first_ms.append(_timed_miss(client, server.url + first))
                figure.next_ms.append(_timed_miss(client, server.url + second))
        figures.append(figure)
    return figures
