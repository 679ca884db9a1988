"""Exception handlers: every error is a JSON body `{"error": ...}` with the right status.

Upstream trouble never becomes a bare 500 and is never cached (`Cache-Control: no-store`).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from app.api.responses import JSON, dump_json, error_json
from app.domain.errors import (
    IncompatibleFiltersError,
    InvalidInputError,
    NotFoundError,
    ParseError,
    StorageUnavailableError,
    UpstreamError,
    UpstreamRateLimitedError,
    UpstreamStatusError,
)
from app.domain.player_ids import PATTERN_HINTS
from app.services.players.unknown import PlayerNotFoundError

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "An internal server error occurred. It has been logged."


def _validation_summary(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        location = [str(p) for p in error.get("loc", ()) if not str(p).startswith("str-enum[")]
        name = location[-1] if len(location) > 1 else ".".join(location)
        message = error.get("msg", "invalid")
        if error.get("type") == "string_pattern_mismatch":  # the pattern itself is in `detail`
            # A player id's pattern says nothing to a reader: say what it stands for.
            hint = PATTERN_HINTS.get(str(error.get("ctx", {}).get("pattern")))
            message = hint or "String should match the pattern given in the schema"
        parts.append(f"{name}: {message}")
    return "Invalid request: " + "; ".join(dict.fromkeys(parts))


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    detail = jsonable_encoder(exc.errors())
    return error_json(422, _validation_summary(exc), detail=detail)


async def on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_json(exc.status_code, str(exc.detail), headers=exc.headers)


async def on_not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotFoundError)
    return error_json(404, exc.message)


async def on_player_not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PlayerNotFoundError)
    # `private`: the body's countdown is personal to this moment; shared caches must not
    # replay it, and storage answers the next request without asking Blizzard anyway.
    headers = {
        "Retry-After": str(exc.retry_after),
        "Cache-Control": f"private, max-age={exc.retry_after}",
    }
    body = dump_json(
        {
            "error": exc.message,
            "retry_after": exc.retry_after,
            "next_check_at": exc.next_check_at,
            "check_count": exc.check_count,
        }
    )
    return Response(body, status_code=404, media_type=JSON, headers=headers)


async def on_invalid_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidInputError | IncompatibleFiltersError)
    if isinstance(exc, IncompatibleFiltersError):
        return error_json(400, exc.message)
    # Every 422 has OverFast's `detail`, whichever layer found the problem.
    detail = {"type": "value_error", "loc": list(exc.location), "msg": exc.message}
    return error_json(422, exc.message, detail=[{**detail, "input": exc.value}])


async def on_upstream_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UpstreamError)
    if isinstance(exc, UpstreamRateLimitedError):
        return error_json(503, exc.message, headers={"Retry-After": str(exc.retry_after)})
    status = f" (HTTP {exc.status})" if isinstance(exc, UpstreamStatusError) else ""
    logger.warning("upstream error on %s: %s%s", request.url.path, exc.message, status)
    return error_json(504, f"Couldn't get Blizzard page{status}: {exc.message}")


async def on_parse_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ParseError)
    logger.error("parse error on %s: %s", request.url.path, exc.message)
    metrics = getattr(request.app.state, "metrics", None)
    if metrics is not None:
        metrics.parse_error(exc.page_type)
    return error_json(502, exc.message)


STORAGE_RETRY_AFTER = 5
"""Seconds a client is asked to wait while the storage server is unreachable."""


async def on_storage_unavailable(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StorageUnavailableError)
    logger.error("storage unavailable on %s: %s", request.url.path, exc.detail)
    return error_json(503, exc.message, headers={"Retry-After": str(STORAGE_RETRY_AFTER)})


async def on_unexpected_error(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return error_json(500, INTERNAL_ERROR)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_exception)
    app.add_exception_handler(PlayerNotFoundError, on_player_not_found)
    app.add_exception_handler(NotFoundError, on_not_found)
    app.add_exception_handler(InvalidInputError, on_invalid_input)
    app.add_exception_handler(IncompatibleFiltersError, on_invalid_input)
    app.add_exception_handler(UpstreamError, on_upstream_error)
    app.add_exception_handler(ParseError, on_parse_error)
    app.add_exception_handler(StorageUnavailableError, on_storage_unavailable)
    app.add_exception_handler(Exception, on_unexpected_error)
