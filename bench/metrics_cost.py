"""What metrics cost on the hottest path: cached hits with metrics on and off, one run.

    uv run python -m bench.metrics_cost [--path /heroes/ana] [--seconds 5] [--rounds 5]

Starts the fake upstream and two `owdata serve` processes, one with `METRICS_ENABLED=true`
and one with `METRICS_ENABLED=false`; loads each in turn with wrk (rounds interleaved, order
alternating, so machine drift hits both alike) and prints both throughputs and the relative cost of
metrics: the median over pairs of adjacent rounds (goal: < 10%). A cache hit is the
worst case: it is the cheapest request, so the per-request metrics work (route
template, two clock reads, a few integer updates) weighs most there.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

from bench.cached_hit import fake_upstream, owdata_server, warm_hit
from bench.harness import LoadResult, interleaved, progress

GOAL = 0.10


def check_switch(on_url: str, off_url: str) -> None:
    """Both servers must honour METRICS_ENABLED, or the comparison means nothing."""
    on, off = httpx.get(f"{on_url}/metrics"), httpx.get(f"{off_url}/metrics")
    if on.status_code != 200 or off.status_code != 404:
        sys.exit(
            f"METRICS_ENABLED is not honoured (GET /metrics: {on.status_code} with metrics on, "
            f"{off.status_code} with them off): is the metrics wiring in app.main done?"
        )


def run(path: str, seconds: int, rounds: int) -> tuple[list[LoadResult], list[LoadResult]]:
    with tempfile.TemporaryDirectory() as tmp:
        progress("starting the fake upstream and two owdata servers")
        with (
            fake_upstream() as upstream_url,
            owdata_server(upstream_url, Path(tmp) / "on.db", {"METRICS_ENABLED": "true"}) as on,
            owdata_server(upstream_url, Path(tmp) / "off.db", {"METRICS_ENABLED": "false"}) as off,
        ):
            check_switch(on, off)
            on_url, off_url = on + path, off + path
            for url in (on_url, off_url):
                warm_hit(url)
            without, with_metrics = interleaved(
                ("metrics off", off_url), ("metrics on", on_url), seconds, rounds
            )
    return with_metrics, without


def report(path: str, with_metrics: list[LoadResult], without: list[LoadResult]) -> float:
    """Print the figures; return the relative cost (0.05 = metrics cost 5% of req/s)."""
    print(f"\ncached GET {path}, median of {len(with_metrics)} rounds")
    print(f"{'server':<20}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}   req/s range")
    rps = {}
    for name, results in (("metrics off", without), ("metrics on", with_metrics)):
        each = [r.requests_per_second for r in results]
        rps[name] = statistics.median(each)
        p50 = statistics.median(r.p50_ms for r in results)
        p99 = statistics.median(r.p99_ms for r in results)
        noise = f"{min(each):.0f}-{max(each):.0f}"  # how noisy the machine was
        print(f"{name:<20}{rps[name]:>10.0f}{p50:>10.2f}{p99:>10.2f}   {noise}")
    # Round i of "on" runs right before or after round i of "off": the median of the paired ratios
    # cancels most of the drift of a busy machine, which a ratio of medians would not.
    pairs = zip(with_metrics, without, strict=True)
    paired = [on.requests_per_second / off.requests_per_second for on, off in pairs]
    cost = 1 - statistics.median(paired)
    verdict = "met" if cost < GOAL else "NOT met"
    print(f"metrics cost: {cost:.1%} of throughput (paired rounds; goal < {GOAL:.0%}: {verdict})")
    print(f"  paired rounds: {1 - max(paired):.1%} to {1 - min(paired):.1%}")
    return cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", default="/heroes/ana")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with_metrics, without = run(args.path, args.seconds, args.rounds)
    report(args.path, with_metrics, without)


if __name__ == "__main__":
    main()
