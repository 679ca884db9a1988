"""View bodies of a stored career, kept while storage hands out that very career object.

Storage keeps recently decoded profiles and returns the same `parsed` object for a row
whose stored bytes did not change (see `PlayerRecord`); a changed row gives a new object.
So a body computed from a career can be reused for as long as the career served *is* the
object it was computed from: identity is the check, no clock or version is involved.
The stats views cost milliseconds on a big career (every hero's repeated rows are
resolved, `app.domain.stat_rows`); reusing them makes a storage-served answer cost about
what validating and writing its JSON costs.

Only views of the career alone are kept (`stats/summary`, `stats/career`, `stats`): the
summary and the full profile also depend on the search entry. Bodies are shared, like the
career: they are only read (rendered). At most `max_careers` careers are remembered
(least recently used first), each with the bodies asked of it.

Example:
    >>> memo = ViewMemo()
    >>> memo.body("ab%7Ccd", career, ("stats", "pc"), lambda: compute(career))  # doctest: +SKIP
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from app.ports import JSONValue

MAX_CAREERS = 16


@dataclass(slots=True)
class _Career:
    career: JSONValue
    bodies: dict[Hashable, object] = field(default_factory=dict)


class ViewMemo:
    def __init__(self, max_careers: int = MAX_CAREERS) -> None:
        self._max = max_careers
        self._careers: OrderedDict[str, _Career] = OrderedDict()

    def body(
        self, key: str, career: JSONValue, view: Hashable, compute: Callable[[], object]
    ) -> object:
        """`compute()`, or what it returned for this very `career` and `view` before."""
        entry = self._careers.get(key)
        if entry is None or entry.career is not career:
            entry = self._careers[key] = _Career(career)
            while len(self._careers) > self._max:
                self._careers.popitem(last=False)
        self._careers.move_to_end(key)
        if view not in entry.bodies:
            entry.bodies[view] = compute()
        return entry.bodies[view]
