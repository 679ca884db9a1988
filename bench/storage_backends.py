"""SQLite vs PostgreSQL storage, side by side in one run.

    uv run python -m bench.storage_backends [--rounds 5] [--ops 200] [--jobs 400]

Measures, through the `Storage` and `JobQueue` ports (what the services see):

- read latency: `get_player` of a stored profile (TeKrop's real career page, zstd, and
  its parsed JSON), decoded on every read (`PROFILE_CACHE_MAX_BYTES=0`);
- write latency: `put_player` of that profile;
- job claim throughput: `--jobs` queued jobs drained by 4 concurrent runners (each its own
  storage instance, as 4 worker processes would be), each doing claim then complete.

Rounds alternate the backends and swap their order every round (A/B, then B/A), so drift
on a busy machine hits both alike; the table gives the median over rounds and the spread
(min–max). SQLite is a file in a temporary folder; PostgreSQL is a throwaway local server
started by the benchmark (Debian's `postgresql` binaries, as the tests use), with
`fsync=off` (so it measures the code paths and the protocol, not the disk; SQLite runs
with `synchronous=NORMAL`, also without an fsync per commit).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

from app.adapters.storage.postgres import PostgresStorage
from app.adapters.storage.sqlite import SQLiteStorage
from app.devtools.fixtures import fixtures_dir
from app.parsers.career import parse_career
from app.ports import OutboxStorage, PlayerRecord
from bench.harness import progress, spread
from tests.postgres_server import PostgresProcess, find_postgres_bin

RUNNERS = 4
BACKENDS = ("SQLite", "PostgreSQL")

type Opener = Callable[[], Awaitable[OutboxStorage]]


@dataclass(frozen=True)
class Round:
    read_ms: float
    write_ms: float
    claims_per_second: float


def profile() -> PlayerRecord:
    page = fixtures_dir() / "blizzard" / "en-us" / "career" / "TeKrop-2217" / "index.html"
    html = page.read_text(encoding="utf-8")
    return PlayerRecord(
        key="bench%7C0001",
        battletag="TeKrop-2217",
        name="TeKrop",
        raw=html.encode(),
        parsed=parse_career(html),
        parser_version=1,
        search_entry={"battleTag": "TeKrop#2217", "isPublic": True},
        last_updated_blizzard=1_700_000_000,
        fetched_at=time.time(),
    )


async def latencies(operation: Callable[[], Awaitable[object]], ops: int) -> float:
    """Median milliseconds of `ops` sequential runs."""
    times = []
    for _ in range(ops):
        started = time.perf_counter()
        await operation()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def claim_throughput(open_storage: Opener, jobs: int, tag: str) -> float:
    runners = [await open_storage() for _ in range(RUNNERS)]
    try:
        for n in range(jobs):
            await runners[0].jobs.enqueue(f"{tag}:{n:05}", "bench", {"n": n}, run_at=0)

        async def drain(storage: OutboxStorage, owner: str) -> None:
            while job := await storage.jobs.claim(owner, lease_seconds=60, now=time.time()):
                await storage.jobs.complete(job.key, owner)

        started = time.perf_counter()
        await asyncio.gather(*(drain(s, f"{tag}-runner{i}") for i, s in enumerate(runners)))
        elapsed = time.perf_counter() - started
        counts = await runners[0].jobs.counts()
        assert counts["queued"] == counts["running"] == 0, counts
        return jobs / elapsed
    finally:
        for storage in runners:
            await storage.close()


async def one_round(open_storage: Opener, record: PlayerRecord, args: Args, tag: str) -> Round:
    storage = await open_storage()
    try:
        await storage.put_player(record)
        read = await latencies(lambda: storage.get_player(record.key), args.ops)
        write = await latencies(
            lambda: storage.put_player(replace(record, fetched_at=time.time())), args.ops
        )
    finally:
        await storage.close()
    claims = await claim_throughput(open_storage, args.jobs, tag)
    return Round(read, write, claims)


@dataclass(frozen=True)
class Args:
    rounds: int
    ops: int
    jobs: int


def report(results: dict[str, list[Round]], args: Args) -> None:
    rows = [
        (f"get_player, ms (median of {args.ops})", "read_ms", 3),
        (f"put_player, ms (median of {args.ops})", "write_ms", 3),
        (f"claim+complete, jobs/s ({RUNNERS} runners)", "claims_per_second", 0),
    ]
    print(f"\nstorage backends, {args.rounds} rounds (A/B order swapped each round)")
    print(f"{'':<36} {'SQLite':>24} {'PostgreSQL':>24} {'PG/SQLite':>10}")
    for label, attribute, digits in rows:
        columns = [[getattr(r, attribute) for r in results[b]] for b in BACKENDS]
        ratio = statistics.median(columns[1]) / statistics.median(columns[0])
        cells = [spread(values, f".{digits}f") for values in columns]
        print(f"{label:<36} {cells[0]:>24} {cells[1]:>24} {ratio:>10.2f}")


async def run(args: Args, workdir: Path, postgres_url: str) -> None:
    openers: dict[str, Opener] = {
        # Without the decoded-profile LRU, so a read decodes as a first read does (a hit
        # of the LRU is what `bench.storage_served` measures).
        "SQLite": lambda: SQLiteStorage.open(workdir / "bench.db", profile_cache_bytes=0),
        "PostgreSQL": lambda: PostgresStorage.open(postgres_url, profile_cache_bytes=0),
    }
    record = profile()
    results: dict[str, list[Round]] = {backend: [] for backend in BACKENDS}
    for i in range(args.rounds):
        order = BACKENDS if i % 2 == 0 else BACKENDS[::-1]
        for backend in order:
            progress(f"round {i + 1}/{args.rounds}: {backend}")
            results[backend].append(await one_round(openers[backend], record, args, f"r{i}"))
    report(results, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ops", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=400)
    options = parser.parse_args()
    args = Args(options.rounds, options.ops, options.jobs)
    server = PostgresProcess(find_postgres_bin())
    progress("starting a throwaway PostgreSQL server")
    server.start()
    try:
        url = server.create_database()
        with tempfile.TemporaryDirectory(prefix="owdata-bench-") as workdir:
            asyncio.run(run(args, Path(workdir), url))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
