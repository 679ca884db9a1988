"""Errors shared by parsers, adapters and services; the api layer maps them to HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

# Why a part of a page was dropped (a bounded set: it is the metric's `reason` label).
type ProblemReason = Literal[
    "unreadable_value",  # one value is not a number: that value only is dropped
    "unreadable_block",  # a stats card, hero block or top-heroes bar cannot be read
    "missing_section",  # a gamemode has top heroes but no career stats, or the reverse
    "unknown_block",  # a career-stats block its dropdown does not list
    "unknown_platform",  # a platform view we do not know (not pc or console)
    "unreadable_rank",  # a competitive rank (that role becomes null)
    "unreadable_season",  # a competitive season (null)
]
WHOLE_PAGE: Final = "page"
"""The `reason` of a `ParseError` (the whole page could not be read) in the metric."""


class OwdataError(Exception):
    """Base class: `message` is short and safe to show to API clients."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(OwdataError):
    """The requested entity does not exist upstream."""


class UpstreamError(OwdataError):
    """Talking to the upstream site failed. Never cached, never stored."""


class UpstreamTimeoutError(UpstreamError):
    pass


class UpstreamConnectionError(UpstreamError):
    pass


class UpstreamStatusError(UpstreamError):
    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(message or f"Blizzard answered HTTP {status}")
        self.status = status


class UpstreamRateLimitedError(UpstreamError):
    """Blizzard signalled rate limiting (HTTP 403) or a penalty window is still open."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "Blizzard is temporarily rate limiting this API. "
            f"Please retry after {retry_after} seconds."
        )
        self.retry_after = retry_after


class ParseError(OwdataError):
    """An upstream page did not have the expected shape.

    `page_type` names the page (`hero`, `career`, ...) and `section` the part of it that
    broke, so logs point at the exact place Blizzard changed.
    """

    def __init__(self, page_type: str, section: str, detail: str) -> None:
        super().__init__(f"Could not parse the {page_type} page ({section}): {detail}")
        self.page_type = page_type
        self.section = section
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """A part of a page that could not be read and was dropped while the rest was kept.

    Parsers log each one and return them next to their result (they stay pure); the
    service that ran the parser counts them (`owdata_parse_errors_total{page_type, reason}`).
    `section` names the place (`pc/quickplay/career-stats/ana`), for logs only.
    """

    page_type: str
    section: str
    reason: ProblemReason
    detail: str


class InvalidInputError(OwdataError):
    """A request parameter is well-formed for the router but not acceptable (422).

    `location` names the parameter as FastAPI does (`("path", "player_id")`), `value` is
    what was given: both go into the 422's `detail`, like any other validation error.
    """

    def __init__(
        self, message: str, *, location: tuple[str, ...] = (), value: object = None
    ) -> None:
        super().__init__(message)
        self.location = location
        self.value = value


class IncompatibleFiltersError(OwdataError):
    """Valid parameters that cannot be combined (400), e.g. a map outside a game mode."""


class StorageUnavailableError(OwdataError):
    """The storage server cannot be reached (PostgreSQL down or restarting): 503.

    Raised by network-backed storage adapters after a reconnect attempt failed; the
    adapter keeps reconnecting on later calls, so the condition is temporary.
    """

    def __init__(self, detail: str) -> None:
        super().__init__("Storage is temporarily unavailable, please retry shortly")
        self.detail = detail
