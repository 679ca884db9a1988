"""What the access log costs on the hottest path: cached hits with it on and off, one run.

    uv run python -m bench.access_log_cost [--path /heroes/ana] [--seconds 5] [--rounds 5]

Starts the fake upstream and two `owdata serve` processes, one with `ACCESS_LOG=true`
(its lines written to a file, as a container runtime or a shipper would collect them) and
one with `ACCESS_LOG=false`; loads each in turn with wrk (rounds interleaved) and prints
both throughputs and the relative cost: the median over pairs of adjacent rounds. A cache
hit is the worst case: the cheapest request, so one log line per request weighs most.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench.cached_hit import fake_upstream, owdata_server, warm_hit
from bench.harness import LoadResult, interleaved, progress


def run(path: str, seconds: int, rounds: int) -> tuple[list[LoadResult], list[LoadResult], int]:
    """(rounds with the access log, rounds without, access lines written)."""
    with tempfile.TemporaryDirectory() as tmp:
        progress("starting the fake upstream and two owdata servers")
        on_db, off_db = Path(tmp) / "on.db", Path(tmp) / "off.db"
        with (
            fake_upstream() as upstream_url,
            owdata_server(upstream_url, on_db, {"ACCESS_LOG": "true"}) as on,
            owdata_server(upstream_url, off_db, {"ACCESS_LOG": "false"}) as off,
        ):
            on_url, off_url = on + path, off + path
            for url in (on_url, off_url):
                warm_hit(url)
            without, with_log = interleaved(
                ("access log off", off_url), ("access log on", on_url), seconds, rounds
            )
        written = on_db.with_suffix(".log").read_text().count(" owdata.access: ")
    return with_log, without, written


def report(path: str, with_log: list[LoadResult], without: list[LoadResult], lines: int) -> float:
    """Print the figures; return the relative cost (0.05 = the log costs 5% of req/s)."""
    print(f"\ncached GET {path}, median of {len(with_log)} rounds")
    print(f"{'server':<20}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}   req/s range")
    for name, results in (("access log off", without), ("access log on", with_log)):
        each = [r.requests_per_second for r in results]
        p50 = statistics.median(r.p50_ms for r in results)
        p99 = statistics.median(r.p99_ms for r in results)
        spread = f"{min(each):.0f}-{max(each):.0f}"
        print(f"{name:<20}{statistics.median(each):>10.0f}{p50:>10.2f}{p99:>10.2f}   {spread}")
    pairs = zip(with_log, without, strict=True)
    ratios = [on.requests_per_second / off.requests_per_second for on, off in pairs]
    cost = 1 - statistics.median(ratios)
    print(f"access log cost: {cost:.1%} of throughput (paired rounds); {lines} lines written")
    return cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", default="/heroes/ana")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with_log, without, lines = run(args.path, args.seconds, args.rounds)
    report(args.path, with_log, without, lines)


if __name__ == "__main__":
    main()
