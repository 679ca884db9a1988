"""Players: career-page parse time, a cold profile request, and a cached hit vs the floor.

    uv run python -m bench.players [--seconds 5] [--rounds 3] [--parse-runs 15] [--cold-runs 5]

1. Parse: every captured career page (`<fixtures>/blizzard/en-us/career/*/index.html`)
   against selectolax's own parse of it, in interleaved rounds (`bench.career_parse`,
   `--parse-rounds` rounds of `--parse-runs` calls per side); goal: ratio <= 2.
2. Cold: `GET /players/TeKrop-2217` as the first request of a fresh `owdata serve` (new
   SQLite file each run) against the fake upstream; median of `--cold-runs`. A first
   BattleTag lookup makes several upstream calls (search, career redirect, career page),
   so it runs twice: with the throttle's spacing off (`THROTTLE_START_DELAY=0
   THROTTLE_MIN_DELAY=0`: our own cost) and with the embedded defaults (what a first
   visitor of a freshly started server waits), in rounds of alternating order. The fake
   upstream's call count is shown.
3. Cached: `GET /players/TeKrop-2217/stats/summary` from the response cache vs the bare
   ASGI floor serving the same bytes and headers (the method of `bench.cached_hit`: wrk,
   interleaved rounds of alternating order, medians and spread); goal: ratio >= 0.80.

Figures are printed together at the end; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from app.config import Settings
from app.devtools.fixtures import fixtures_dir
from bench.cached_hit import against_floor, fake_upstream, owdata_server, report
from bench.career_parse import career_pages, career_parse_figures
from bench.career_parse import report as report_parse
from bench.harness import LoadResult, alternating, progress

PLAYER = "TeKrop-2217"
COLD_PATH = f"/players/{PLAYER}"
CACHED_PATH = f"/players/{PLAYER}/stats/summary"
SPACING_OFF = {"THROTTLE_START_DELAY": "0", "THROTTLE_MIN_DELAY": "0"}


def _default(name: str) -> str:
    return str(Settings.model_fields[name].default)


# Passed explicitly, so a THROTTLE_* variable exported in the shell cannot skew the figure.
SPACING_DEFAULT = {
    "THROTTLE_START_DELAY": _default("throttle_start_delay"),
    "THROTTLE_MIN_DELAY": _default("throttle_min_delay"),
}


# --- 1. parse: see bench.career_parse ----------------------------------------------------


# --- 2. cold request ---------------------------------------------------------------------


@dataclass(frozen=True)
class ColdFigure:
    label: str
    seconds: list[float]
    calls: list[int]
    paths: Counter[str]


def _cold_request(upstream_url: str, env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    """Time the first `GET COLD_PATH` of a fresh server with a new database; return the
    seconds and the fake upstream's call counts."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        owdata_server(upstream_url, Path(tmp) / "cold.db", env) as base_url,
    ):
        httpx.post(f"{upstream_url}/__fake__/reset").raise_for_status()
        start = time.perf_counter()
        answer = httpx.get(base_url + COLD_PATH, timeout=120)
        elapsed = time.perf_counter() - start
        counted: dict[str, Any] = httpx.get(f"{upstream_url}/__fake__/calls").json()
    answer.raise_for_status()
    if answer.headers.get("x-cache-status") != "miss":
        raise RuntimeError(f"the first request was not a miss: {answer.headers}")
    return elapsed, counted


def cold_requests(
    upstream_url: str, settings: list[tuple[str, dict[str, str]]], runs: int
) -> list[ColdFigure]:
    """`runs` cold requests per (label, env) setting, in rounds of alternating order."""
    figures = {label: ColdFigure(label, [], [], Counter()) for label, _ in settings}
    for i in range(runs):
        for label, env in alternating(settings, i):
            progress(f"cold {label}: run {i + 1}/{runs} (fresh server and database)")
            elapsed, counted = _cold_request(upstream_url, env)
            figure = figures[label]
            figure.seconds.append(elapsed)
            figure.calls.append(int(counted["total"]))
            figure.paths.update({str(p): int(n) for p, n in counted["paths"].items()})
    return list(figures.values())


# --- 3. cached hit vs floor --------------------------------------------------------------


def bench_cached(
    upstream_url: str, seconds: int, rounds: int
) -> tuple[int, list[LoadResult], list[LoadResult]]:
    """Return (body size, floor rounds, owdata rounds) for the cached `CACHED_PATH`."""
    with tempfile.TemporaryDirectory() as tmp:
        progress(f"starting owdata and warming {CACHED_PATH} (throttle defaults: a few s)")
        with owdata_server(upstream_url, Path(tmp) / "cached.db", {}) as base_url:
            return against_floor(base_url, CACHED_PATH, Path(tmp), seconds, rounds)


# --- report ------------------------------------------------------------------------------


def report_cold(figures: list[ColdFigure]) -> None:
    runs = len(figures[0].seconds)
    print(f"\ncold GET {COLD_PATH} (first request of a fresh server), {runs} runs")
    print(f"{'throttle spacing':<44}{'median ms':>10}{'min ms':>10}{'max ms':>10}{'calls':>7}")
    for f in figures:
        med, low, high = (
            1000 * v for v in (statistics.median(f.seconds), min(f.seconds), max(f.seconds))
        )
        calls = "/".join(str(c) for c in sorted(set(f.calls)))
        print(f"{f.label:<44}{med:>10.0f}{low:>10.0f}{high:>10.0f}{calls:>7}")
    paths = figures[0].paths
    per_run = ", ".join(f"{p} ×{n / runs:g}" for p, n in sorted(paths.items()))
    print(f"upstream calls per cold request: {per_run}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=5, help="wrk seconds per round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved wrk rounds")
    parser.add_argument("--parse-rounds", type=int, default=15, help="parse rounds per page")
    parser.add_argument("--parse-runs", type=int, default=3, help="parses per side per round")
    parser.add_argument("--cold-runs", type=int, default=5, help="fresh servers per setting")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is required for this benchmark: apt-get install wrk")
    pages = career_pages()
    if not pages:
        sys.exit(f"no career pages under {fixtures_dir()}/blizzard/en-us/career/*/index.html")

    parsed = career_parse_figures(args.parse_rounds, args.parse_runs)
    progress("starting the fake upstream")
    with fake_upstream() as upstream_url:
        start = SPACING_DEFAULT["THROTTLE_START_DELAY"]
        settings = [
            ("off (delay 0): our own cost", SPACING_OFF),
            (f"defaults (start delay {start} s): first visitor", SPACING_DEFAULT),
        ]
        cold = cold_requests(upstream_url, settings, args.cold_runs)
        size, floor, ours = bench_cached(upstream_url, args.seconds, args.rounds)

    report_parse(parsed, args.parse_runs)
    report_cold(cold)
    report(CACHED_PATH, size, floor, ours)


if __name__ == "__main__":
    main()
