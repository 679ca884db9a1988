"""View bodies of a stored career, kept while storage hands out that very career object.

Storage keeps recently decoded profiles and returns the same `parsed` object for a row
whose stored bytes did not change (see `PlayerRecord`); a changed row gives a new object.
So a body computed from a career can be reused for as long as the career served *is* the
object it was computed from: identity is the check, no clock or version is involved.
The stats views cost milliseconds on a big career (every hero's repeated rows are
resolved, `app.domain.stat_rows`); reusing them, with the bytes rendered from them,
makes a storage-served answer cost little more than reading the profile.

Only views of the career alone are kept (`stats/summary`, `stats/career`, `stats`): the
summary and the full profile also depend on the search entry. Bodies are shared, like the
career: they are only read (rendered), and what is derived from one (its rendered bytes)
is kept with it in `View.renderings`.

Bounded in bytes (`max_bytes`, `PLAYER_VIEWS_MAX_BYTES`): a view counts
`VIEW_BYTES_PER_JSON_BYTE` times its compact JSON, for its Python objects and its
rendered bytes. Least recently used careers go first, with all their views; a view bigger
than the whole bound is handed out but not kept. At most `max_careers` careers are
remembered (each entry also holds its career object, which the decoded-profile LRU
counts while it keeps it).

Example:
    >>> memo = ViewMemo(16 * 1024 * 1024)
    >>> memo.view("ab%7Ccd", career, ("stats", "pc"), lambda: view_of(career))  # doctest: +SKIP
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import orjson

from app.ports import JSONValue

MAX_CAREERS = 16
DEFAULT_VIEWS_BYTES = 16 * 1024 * 1024
"""Each process's default budget of kept views (`PLAYER_VIEWS_MAX_BYTES`)."""
VIEW_BYTES_PER_JSON_BYTE = 6
"""A view's Python objects take two to four times its compact JSON (tracemalloc, the
captured careers' views), its rendered bytes once more: six bounds them, with margin."""


def view_size(body: object) -> int:
    """The bytes a kept view counts."""
    return VIEW_BYTES_PER_JSON_BYTE * len(orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS))


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
    size: int = 0


class ViewMemo:
    def __init__(
        self,
        max_bytes: int = DEFAULT_VIEWS_BYTES,
        *,
        max_careers: int = MAX_CAREERS,
        size_of: Callable[[object], int] = view_size,
    ) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._max_careers = max_careers
        self._size_of = size_of
        self._careers: OrderedDict[str, _Career] = OrderedDict()

    def view(
        self, key: str, career: JSONValue, view: Hashable, compute: Callable[[], object]
    ) -> View:
        """`compute()`'s body, or the `View` it made for this very `career` and `view`."""
        entry = self._careers.get(key)
        if entry is not None and entry.career is career:
            self._careers.move_to_end(key)
            found = entry.views.get(view)
            if found is not None:
                return found
        made = View(compute())
        if self.max_bytes <= 0:
            return made
        size = self._size_of(made.body)
        if size > self.max_bytes:
            return made  # handed out, not kept: it alone would exceed the bound
        if entry is None or entry.career is not career:
            self._drop(key)
            entry = self._careers[key] = _Career(career)
        entry.views[view] = made
        entry.size += size
        self.bytes += size
        while self.bytes > self.max_bytes or len(self._careers) > self._max_careers:
            self._drop(next(iter(self._careers)))  # least recently used first
        return made

    def _drop(self, key: str) -> None:
        entry = self._careers.pop(key, None)
        if entry is not None:
            self.bytes -= entry.size
