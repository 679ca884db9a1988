"""What services hand to routers: plain data plus how old it is."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from app.ports import JSONValue


@dataclass(frozen=True, slots=True)
class Result:
    """Data for a response. `generated_at` is when the upstream page behind it was fetched
    (unix seconds); `stale` is true when it is past its staleness threshold and was served
    because fresher data could not be had. `data` is only read, never changed."""

    data: JSONValue
    generated_at: float
    stale: bool = False
    renderings: dict[Hashable, object] | None = None
    """Set when `data` is a shared view that later requests are handed again (a memoized
    view of a stored career): where the API keeps what it rendered from it."""
