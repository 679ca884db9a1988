"""Storage-served player requests vs cached hits: CPU per request, side by side.

    uv run python -m bench.storage_served [--requests 200] [--rounds 5] [--path P ...]

One process runs the app (`create_app`, lifespan included, default settings apart from a
fresh SQLite file, the fake upstream and no throttle spacing) and calls it as an ASGI
app directly, so the figures are the app's own CPU (`time.process_time`: every thread
of the process, SQLite's and zstd's included), without an HTTP client or server
around it. Three sides per path, each `--requests` requests per round:

- **cached hit**: the response cache answers (`X-Cache-Status: hit`);
- **storage-served**: the response cache is emptied before each request (not timed), so
  the fresh stored profile answers (`miss`, no upstream call): what a request costs when
  its profile is in the decoded-profile LRU (`PROFILE_CACHE_MAX_BYTES`);
- **storage-served, no LRU**: the same with `PROFILE_CACHE_MAX_BYTES=0` (a second app on
  the same file): every request reads and decodes the stored career.

Rounds interleave the sides and rotate their order every round (A B C, B C A, …), so
drift on a busy machine hits them alike. Printed: median µs of CPU per request and the
spread over rounds (min–max). Goal (issue 15): storage-served ≤ 1 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from app.api.response_cache import ResponseCacheMiddleware
from app.config import Settings
from app.main import create_app
from bench.cached_hit import fake_upstream
from bench.harness import progress, spread

PATHS = ["/players/TeKrop-2217/stats/summary", "/players/TeKrop-2217"]
GOAL_US = 1000.0


async def call(app: FastAPI, path: str) -> tuple[int, str]:
    """One GET straight into the ASGI app; returns (status, X-Cache-Status)."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            headers = dict(message.get("headers", []))
            answer["cache"] = headers.get(b"x-cache-status", b"").decode()

    await app(scope, receive, send)
    return answer["status"], answer["cache"]


@dataclass
class Side:
    label: str
    app: FastAPI
    expect: str
    before_each: Callable[[], Awaitable[None]] | None = None
    rounds: list[float] = field(default_factory=list)
    """Median CPU µs per request of each round."""

    async def run(self, path: str, requests: int) -> None:
        spent: list[float] = []
        for _ in range(requests):
            if self.before_each is not None:
                await self.before_each()
            start = time.process_time()
            status, cache = await call(self.app, path)
            spent.append((time.process_time() - start) * 1e6)
            if status != 200 or cache != self.expect:
                raise RuntimeError(f"{self.label}: {path} answered {status} {cache!r}")
        self.rounds.append(statistics.median(spent))


def settings_for(db: Path, upstream: str, **changes: Any) -> Settings:
    return Settings(
        storage_path=db,
        blizzard_host=upstream,
        throttle_start_delay=0,
        throttle_min_delay=0,
        **changes,
    )


def emptier(app: FastAPI) -> Callable[[], Awaitable[None]]:
    edge = app.edge  # type: ignore[attr-defined]
    assert isinstance(edge, ResponseCacheMiddleware)

    async def empty() -> None:
        await edge.cache.delete_prefix("")

    return empty


async def bench(path: str, upstream: str, requests: int, rounds: int) -> list[Side]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        cached_app = create_app(settings_for(db, upstream))
        plain_app = create_app(settings_for(db, upstream, profile_cache_max_bytes=0))
        async with AsyncExitStack() as stack:
            for app in (cached_app, plain_app):
                await stack.enter_async_context(app.router.lifespan_context(app))
            progress(f"{path}: first request (fetched from the fake upstream)")
            await call(cached_app, path)
            sides = [
                Side("cached hit", cached_app, "hit"),
                Side("storage-served", cached_app, "miss", emptier(cached_app)),
                Side("storage-served, no LRU", plain_app, "miss", emptier(plain_app)),
            ]
            for side in sides:  # warm-up, untimed: first-call effects are not the figure
                await side.run(path, 20)
                side.rounds.clear()
            for i in range(rounds):
                order = sides[i % len(sides) :] + sides[: i % len(sides)]
                progress(f"{path}: round {i + 1}/{rounds} ({', '.join(s.label for s in order)})")
                for side in order:
                    await side.run(path, requests)
        return sides


def report(path: str, sides: list[Side], requests: int) -> None:
    rounds = len(sides[0].rounds)
    print(f"\nGET {path}: CPU µs per request, median of {rounds} rounds (min–max), ")
    print(f"{requests} requests per side per round, order rotated each round")
    for side in sides:
        print(f"  {side.label:<26}{spread(side.rounds):>22}")
    served = statistics.median(sides[1].rounds)
    verdict = "met" if served <= GOAL_US else "NOT met"
    print(f"  storage-served ≤ {GOAL_US:.0f} µs: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="requests per side per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--path", action="append", help=f"route to measure (default: {PATHS})")
    args = parser.parse_args()
    results = []
    progress("starting the fake upstream")
    with fake_upstream() as upstream:
        for path in args.path or PATHS:
            results.append((path, asyncio.run(bench(path, upstream, args.requests, args.rounds))))
    for path, sides in results:
        report(path, sides, args.requests)


if __name__ == "__main__":
    main()
