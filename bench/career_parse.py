"""Career parse vs selectolax's own parse of the same page, per captured career page.

    uv run python -m bench.career_parse [--rounds 15] [--runs 3]

For every captured career page (`<fixtures>/blizzard/en-us/career/*/index.html`), in this
process, in CPU time: `parse_career(html)` against `LexborHTMLParser(html)` alone (the
HTML parse any reader of the page pays), after one untimed call of each (imports,
caches). Beside them, the whole-page parse (`cut_blocks=False`: every block parsed by
lexbor, what a page gets when its blocks are not in Blizzard's markup; see
`app/parsers/_career_cuts.py`). Each round times `--runs` calls of each side, the order
of the sides reversed every other round, so drift on a shared machine hits all alike; a
round's figure is its median call and its ratio to lexbor's. Printed: the median of the
rounds and their spread (lowest-highest). Goal (issue 15): ours/lexbor <= 2 on every page.

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
from app.parsers.career import parse_career, parse_career_report
from bench.harness import REPO_ROOT, alternating, progress, spread

GOAL = 2.0


@dataclass(frozen=True)
class ParseRatio:
    """One page: per round, the median ms per call of each side."""

    page: str
    size: int
    ours_ms: list[float]
    lexbor_ms: list[float]
    whole_ms: list[float]

    @property
    def ratios(self) -> list[float]:
        """ours / lexbor per round."""
        return [a / b for a, b in zip(self.ours_ms, self.lexbor_ms, strict=True)]

    @property
    def whole_ratios(self) -> list[float]:
        """whole-page parse / lexbor per round."""
        return [a / b for a, b in zip(self.whole_ms, self.lexbor_ms, strict=True)]

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


def compare(html: str, rounds: int, runs: int) -> dict[str, list[float]]:
    """Per side (ours, whole, lexbor): its median ms per round, sides alternating."""
    sides: list[tuple[str, Callable[[], object]]] = [
        ("ours", lambda: parse_career(html)),
        ("whole", lambda: parse_career_report(html, cut_blocks=False)),
        ("lexbor", lambda: LexborHTMLParser(html)),
    ]
    for _, call in sides:
        call()  # untimed: first-call effects are not parse time
    timed: dict[str, list[float]] = {name: [] for name, _ in sides}
    for i in range(rounds):
        for name, call in alternating(sides, i):
            timed[name].append(_median_ms(call, runs))
    return timed


def career_parse_figures(rounds: int = 15, runs: int = 3) -> list[ParseRatio]:
    """`ParseRatio` of every captured career page (empty when there are none)."""
    rows = []
    for page in career_pages():
        progress(f"parsing {page.parent.name}: {rounds} rounds of {runs} calls per side")
        html = page.read_text(encoding="utf-8")
        timed = compare(html, rounds, runs)
        size = len(html.encode())
        rows.append(
            ParseRatio(page.parent.name, size, timed["ours"], timed["lexbor"], timed["whole"])
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
    print(f"\ncareer parse vs LexborHTMLParser alone: {rounds} rounds (order reversed every")
    print(f"other round), median CPU ms of {runs} calls per side per round; median (min-max)")
    print(f"{'page':<14}{'KB':>5}{'ours ms':>9}{'lexbor ms':>11}{'ours/lexbor':>19}  goal", end="")
    print(f"{'whole-page parse / lexbor':>28}")
    for r in rows:
        met = "met" if r.ratio <= GOAL else "NOT met"
        print(
            f"{r.page:<14}{r.size / 1024:>5.0f}{statistics.median(r.ours_ms):>9.1f}"
            f"{statistics.median(r.lexbor_ms):>11.1f}{spread(r.ratios, '.2f'):>19}"
            f"  <= {GOAL:g}: {met:<8}{spread(r.whole_ratios, '.2f'):>19}"
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
