"""Cached hit vs the bare-ASGI floor: requests per second for the same bytes, one run.

    uv run python -m bench.cached_hit [--path /heroes/ana] [--seconds 5] [--rounds 3]

Starts the fake upstream, `owdata serve` (embedded defaults, temporary SQLite file) and a
bare ASGI app serving the bytes the API answered, with the same uvicorn settings; then
loads each with wrk in rounds of alternating order and prints both figures (median and
spread) and their ratio (goal: >= 0.8).

The pieces (`fake_upstream`, `owdata_server`, `warm_hit`, `against_floor`) are reused by other
benchmarks, e.g. `bench.metrics_cost`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from app.devtools.fixtures import fixtures_dir
from bench.harness import (
    LoadResult,
    floor_server,
    free_port,
    interleaved,
    process,
    progress,
    spread,
)

FLOOR_HEADERS = ("content-type", "cache-control", "etag", "age", "x-cache-status")


@contextmanager
def fake_upstream() -> Iterator[str]:
    """The fake Blizzard site on a free port; yields its base URL."""
    port = free_port()
    fake = [sys.executable, "-m", "app.cli", "fake-upstream", "--port", str(port)]
    fake += ["--fixtures", str(fixtures_dir())]
    with process(fake, ready_url=f"http://127.0.0.1:{port}/__fake__/calls"):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def owdata_server(upstream_url: str, storage: Path, extra_env: dict[str, str]) -> Iterator[str]:
    """`owdata serve` on a free port with a fresh SQLite file (its log beside it, `.log`);
    yields its base URL."""
    port = free_port()
    env = {
        "BLIZZARD_HOST": upstream_url,
        "STORAGE_PATH": str(storage),
        "LOG_LEVEL": "warning",
        "ACCESS_LOG": "false",
        **extra_env,
    }
    serve = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    ready = f"http://127.0.0.1:{port}/openapi.json"
    with process(serve, env=env, ready_url=ready, log=storage.with_suffix(".log")):
        yield f"http://127.0.0.1:{port}"


def warm_hit(url: str) -> httpx.Response:
    """Request `url` twice and return the second answer, checked to be a cache hit."""
    httpx.get(url, timeout=30).raise_for_status()
    hit = httpx.get(url)
    assert hit.headers["x-cache-status"] == "hit", hit.headers
    return hit


def against_floor(
    base_url: str, path: str, workdir: Path, seconds: int, rounds: int
) -> tuple[int, list[LoadResult], list[LoadResult]]:
    """Warm `path` on the running owdata at `base_url`, start the floor serving the bytes and
    headers of its hit, and load both in interleaved rounds.

    Returns (body size, floor rounds, owdata rounds).
    """
    app_url = base_url + path
    hit = warm_hit(app_url)
    with floor_server(path, hit, FLOOR_HEADERS, workdir) as floor_url:
        floor, ours = interleaved(("floor", floor_url), ("owdata", app_url), seconds, rounds)
    return len(hit.content), floor, ours


def run(path: str, seconds: int, rounds: int, extra_env: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        progress("starting the fake upstream and owdata")
        with (
            fake_upstream() as upstream_url,
            owdata_server(upstream_url, Path(tmp) / "bench.db", extra_env) as base_url,
        ):
            size, floor, ours = against_floor(base_url, path, Path(tmp), seconds, rounds)
    report(path, size, floor, ours)


def report(path: str, size: int, floor: list[LoadResult], ours: list[LoadResult]) -> None:
    floor_rps = statistics.median(r.requests_per_second for r in floor)
    our_rps = statistics.median(r.requests_per_second for r in ours)
    print(f"\ncached GET {path} ({size} bytes), median (min–max) of {len(ours)} rounds")
    print(f"{'server':<22}{'req/s':>22}{'p50 ms':>10}{'p99 ms':>10}")
    for name, results in (("bare ASGI floor", floor), ("owdata cache hit", ours)):
        rps = spread([r.requests_per_second for r in results])
        p50 = statistics.median(r.p50_ms for r in results)
        p99 = statistics.median(r.p99_ms for r in results)
        print(f"{name:<22}{rps:>22}{p50:>10.2f}{p99:>10.2f}")
    # Round i of each ran back to back (order alternating): the paired ratios' spread
    # shows the machine's drift better than a ratio of medians alone.
    pairs = zip(ours, floor, strict=True)
    ratios = [o.requests_per_second / f.requests_per_second for o, f in pairs]
    ratio = our_rps / floor_rps
    verdict = "met" if ratio >= 0.8 else "NOT met"
    print(f"ratio owdata/floor: {ratio:.2f}, paired rounds {spread(ratios, '.2f')}")
    print(f"(goal >= 0.80: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", default="/heroes/ana")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for owdata (repeatable), e.g. --env METRICS_ENABLED=false",
    )
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)
    run(args.path, args.seconds, args.rounds, extra_env)


if __name__ == "__main__":
    main()
