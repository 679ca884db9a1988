"""Career parse vs selectolax's own parse of the same page, per captured career page.

Each round times `parse_career(html)` and `LexborHTMLParser(html)` (the HTML parse
alone, which any parser of the page pays) back to back, their order alternating, in this
process after one untimed run of each. The figure is the ratio per round: median and
spread (goal: <= 2).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from app.devtools.fixtures import fixtures_dir
from app.parsers.career import parse_career
from bench.harness import alternating, progress


@dataclass(frozen=True)
class ParseRatio:
    page: str
    size: int
    ours_ms: list[float]
    lexbor_ms: list[float]

    @property
    def ratios(self) -> list[float]:
        return [o / b for o, b in zip(self.ours_ms, self.lexbor_ms, strict=True)]


def career_pages() -> list[Path]:
    return sorted((fixtures_dir() / "blizzard" / "en-us" / "career").glob("*/index.html"))


def _ms(parse: Callable[[str], object], html: str) -> float:
    start = time.perf_counter()
    parse(html)
    return (time.perf_counter() - start) * 1000


def parse_ratios(runs: int) -> list[ParseRatio]:
    figures = []
    for page in career_pages():
        progress(f"parsing {page.parent.name}: {runs} alternating rounds")
        html = page.read_text(encoding="utf-8")
        parse_career(html), LexborHTMLParser(html)  # untimed: first-call effects
        sides: list[tuple[str, Callable[[str], object]]] = [
            ("ours", parse_career),
            ("lexbor", LexborHTMLParser),
        ]
        timed: dict[str, list[float]] = {"ours": [], "lexbor": []}
        for i in range(runs):
            for name, parse in alternating(sides, i):
                timed[name].append(_ms(parse, html))
        figures.append(
            ParseRatio(page.parent.name, len(html.encode()), timed["ours"], timed["lexbor"])
        )
    return figures
