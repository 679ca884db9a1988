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
career: they are only read (rendered), and what is derived from one (its rendered bytes)
is kept with it in `View.renderings`. At most `max_careers` careers are remembered
(least recently used first), each with the views asked of it.

Example:
    >>> memo = ViewMemo()
    >>> memo.view("ab%7Ccd", career, ("stats", "pc"), lambda: view_of(career))  # doctest: +SKIP
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from app.ports import JSONValue

MAX_CAREERS = 16


@dataclass(frozen=True, slots=True)
class View:
    """A view's body and what callers derived from it (`renderings`: the API keeps the
    bytes it rendered there), reused and dropped together."""

    body: object
    renderings: dict[Hashable, object] = field(default_factory=dict)


@dataclass(slots=True)
class _Career:
    career: JSONValue
    views: dict[Hashable, View] = field(default_factory=dict)


class ViewMemo:
    def __init__(self, max_careers: int = MAX_CAREERS) -> None:
        self._max = max_careers
        self._careers: OrderedDict[str, _Career] = OrderedDict()

    def view(
        self, key: str, career: JSONValue, view: Hashable, compute: Callable[[], object]
    ) -> View:
        """`compute()`'s body, or the `View` it made for this very `career` and `view`."""
        entry = self._careers.get(key)
        if entry is None or entry.career is not career:
            entry = self._careers[key] = _Career(career)
            while len(self._careers) > self._max:
                self._careers.popitem(last=False)
        self._careers.move_to_end(key)
        found = entry.views.get(view)
        if found is None:
            found = entry.views[view] = View(compute())
        return found
