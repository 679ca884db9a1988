"""The compatibility figure: how many fields of OverFast's answers ours reproduce.

A field is a leaf of the JSON body (a number, string, boolean, null, or an empty object or
list), named by its path; list items are compared by position, so a dropped or extra item
also counts the items it shifts. A field is equal when both answers encode it the same way
(`6` and `6.0` differ). Each answer's fields are counted once, whichever side has them.

Two figures: `strict` counts a member one answer sets to `null` and the other leaves out as a
difference; `percent` counts it as equal (both say "no value": OverFast itself leaves out the
`career_stats` heroes it answers as `null` once its answer is cached, contract §1.4).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_INDEX = re.compile(r"\[\d+\]")


def leaves(data: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """`(path, value)` for every leaf of a JSON value."""
    if isinstance(data, dict) and data:
        for key, value in data.items():
            yield from leaves(value, f"{path}/{key}")
    elif isinstance(data, list) and data:
        for index, value in enumerate(data):
            yield from leaves(value, f"{path}[{index}]")
    else:
        yield path, data


@dataclass
class FieldMatch:
    fields: int = 0
    equal: int = 0
    null_or_absent: int = 0
    # (route, path pattern: list indexes dropped, last two names) → differing fields…
    differing: Counter[tuple[str, str]] = field(default_factory=Counter)
    # …and members null on one side, absent on the other (the last name is `*`).
    nulls: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, route: str, ours: Any, theirs: Any) -> None:
        mine, their = dict(leaves(ours)), dict(leaves(theirs))
        for path in mine.keys() | their.keys():
            self.fields += 1
            if path in mine and path in their and _same(mine[path], their[path]):
                self.equal += 1
            elif mine.get(path) is None and their.get(path) is None:
                self.null_or_absent += 1
                self.nulls[(route, _pattern(path).rsplit("/", 1)[0] + "/*")] += 1
            else:
                self.differing[(route, _pattern(path))] += 1

    @property
    def percent(self) -> float:
        """Equal fields, a null and an absent member alike, in percent."""
        return 100 * (self.equal + self.null_or_absent) / self.fields if self.fields else 100.0

    @property
    def strict_percent(self) -> float:
        return 100 * self.equal / self.fields if self.fields else 100.0

    def report(self, top: int = 20) -> str:
        lines = [
            f"player responses match OverFast on {self.percent:.2f}% of {self.fields} fields "
            f"({self.strict_percent:.2f}% counting {self.null_or_absent} null vs absent "
            "members as differences)"
        ]
        for (route, path), count in self.differing.most_common(top):
            lines.append(f"  {count:5} differ: {route} {path}")
        for (route, path), count in self.nulls.most_common(top):
            lines.append(f"  {count:5} null vs absent: {route} {path}")
        return "\n".join(lines)


def _pattern(path: str) -> str:
    """`/pc/quickplay/career_stats/ana[3]/stats[2]/key` → `stats[]/key`."""
    return "/".join(_INDEX.sub("[]", path).split("/")[-2:])


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a) == json.dumps(b)
