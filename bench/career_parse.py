"""Career parse vs selectolax's own parse of the same page, per captured career page.

    uv run python -m bench.career_parse [--rounds 15] [--runs 3]

For every captured career page (`<fixtures>/blizzard/en-us/career/*/index.html`), in this
process, in CPU time: `parse_career(html)` against `LexborHTMLParser(html)` alone (the
HTML parse our parser starts with), after one untimed call of each (imports, caches).
Each round times `--runs` calls of one then `--runs` of the other, the order swapped
every round, so drift on a shared machine hits both alike; a round's figure is its
median call and its ratio ours/lexbor. Printed: the median of the rounds and their
spread (lowest-highest ratio). Goal (issue 15): ratio <= 2 on every page.

Also printed, for the first page: the first `parse_career` of a fresh process (imports
done, caches cold) against the next one.

`career_parse_figures()` returns the rows, for other benchmarks to print beside theirs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from app.devtools.fixtures import fixtures_dir
from app.parsers.career import parse_career
from bench.harness import REPO_ROOT, progress

GOAL = 2.0


@dataclass(frozen=True)
class ParseRatio:
    """One page: median ms per call of each side, and ours/lexbor per round."""

    page: str
    size: int
    ours_ms: float
    lexbor_ms: float
    ratios: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


def career_pages() -> list[Path]:
    return sorted((fixtures_dir() / "blizzard" / "en-us" / "career").glob("*/index.html"))


def _median_ms(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        call()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def compare(html: str, rounds: int, runs: int) -> tuple[list[float], list[float]]:
    """Per round: (our median ms, lexbor's median ms), order swapped every round."""

    def ours() -> object:
        return parse_career(html)

    def lexbor() -> object:
        return LexborHTMLParser(html)

    ours(), lexbor()  # untimed: first-call effects are not parse time
    our_times: list[float] = []
    lexbor_times: list[float] = []
    for i in range(rounds):
        if i % 2 == 0:
            our_times.append(_median_ms(ours, runs))
            lexbor_times.append(_median_ms(lexbor, runs))
        else:
            lexbor_times.append(_median_ms(lexbor, runs))
            our_times.append(_median_ms(ours, runs))
    return our_times, lexbor_times


def career_parse_figures(rounds: int = 15, runs: int = 3) -> list[ParseRatio]:
    """`ParseRatio` of every captured career page (empty when there are none)."""
    rows = []
    for page in career_pages():
        progress(f"parsing {page.parent.name}: {rounds} rounds of {runs} calls per side")
        html = page.read_text(encoding="utf-8")
        ours, lexbor = compare(html, rounds, runs)
        ratios = [a / b for a, b in zip(ours, lexbor, strict=True)]
        rows.append(
            ParseRatio(
                page.parent.name,
                len(html.encode()),
                statistics.median(ours),
                statistics.median(lexbor),
                ratios,
            )
        )
    return rows


# The first parse in a fresh process (modules imported, nothing parsed yet) and the next.
_FIRST_PARSE = """
import json, sys, time
from app.parsers.career import parse_career
html = open(sys.argv[1], encoding="utf-8").read()
times = []
for _ in range(2):
    start = time.process_time()
    parse_career(html)
    times.append((time.process_time() - start) * 1000)
print(json.dumps(times))
"""


def first_parse_ms(page: Path, processes: int = 5) -> tuple[float, float]:
    """Median (first, second) `parse_career` ms over `processes` fresh processes."""
    firsts, seconds = [], []
    for i in range(processes):
        progress(f"first parse in a fresh process {i + 1}/{processes}")
        out = subprocess.run(
            [sys.executable, "-c", _FIRST_PARSE, str(page)],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        first, second = json.loads(out)
        firsts.append(first)
        seconds.append(second)
    return statistics.median(firsts), statistics.median(seconds)


def report(rows: list[ParseRatio], runs: int) -> None:
    rounds = len(rows[0].ratios) if rows else 0
    print(f"\ncareer parse vs LexborHTMLParser alone: {rounds} rounds (A/B order swapped),")
    print(f"median CPU ms of {runs} calls per side per round; ratio median (lowest-highest)")
    print(f"{'page':<16}{'KB':>6}{'ours ms':>10}{'lexbor ms':>11}{'ratio':>8}{'spread':>14}  goal")
    for r in rows:
        spread = f"{min(r.ratios):.2f}-{max(r.ratios):.2f}"
        met = "met" if r.ratio <= GOAL else "NOT met"
        print(
            f"{r.page:<16}{r.size / 1024:>6.0f}{r.ours_ms:>10.1f}{r.lexbor_ms:>11.1f}"
            f"{r.ratio:>8.2f}{spread:>14}  <= {GOAL:g}: {met}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds per page")
    parser.add_argument("--runs", type=int, default=3, help="calls per side per round")
    parser.add_argument("--processes", type=int, default=5, help="fresh processes (first parse)")
    args = parser.parse_args()
    pages = career_pages()
    if not pages:
        sys.exit(f"no career pages under {fixtures_dir()}/blizzard/en-us/career/*/index.html")
    rows = career_parse_figures(args.rounds, args.runs)
    first, second = first_parse_ms(pages[0], args.processes)
    report(rows, args.runs)
    print(
        f"first parse_career in a fresh process ({pages[0].parent.name}): {first:.1f} ms, "
        f"the next: {second:.1f} ms (median of {args.processes} processes)"
    )


if __name__ == "__main__":
    main()
