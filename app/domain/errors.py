"""Errors shared by parsers, adapters and services; the api layer maps them to HTTP."""

from __future__ import annotations


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
