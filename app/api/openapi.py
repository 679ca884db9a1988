"""OpenAPI metadata: tags, documented error responses, the docs pages."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.api.models.common import ErrorBody, PlayerNotFoundBody, ValidationErrorBody

HEROES_TAG = "🦸 Heroes"
GAMEMODES_TAG = "🎲 Gamemodes"
MAPS_TAG = "🗺️ Maps"
PLAYERS_TAG = "🎮 Players"

DESCRIPTION = """
owdata serves Overwatch 2 data — heroes, roles, game modes, maps, hero pick and win rates,
player search, player summaries and career statistics — scraped from Blizzard's public
site. It keeps OverFast API v4's paths, parameters and JSON fields, so clients written for
OverFast work unchanged.

Every answer carries `Cache-Control`, `Age`, `ETag` and `X-Cache-Status` headers; send
`If-None-Match` to get a `304 Not Modified` when nothing changed. Errors are JSON objects
with an `error` field.
"""

TAGS_METADATA = [
    {"name": HEROES_TAG, "description": "Heroes, hero details, roles and pick/win rates."},
    {"name": GAMEMODES_TAG, "description": "Game modes maps are played in."},
    {"name": MAPS_TAG, "description": "Maps, with their game modes and locations."},
    {"name": PLAYERS_TAG, "description": "Player search, summaries and career statistics."},
]

_ERROR_DESCRIPTIONS = {
    400: "The parameters are valid but cannot be combined.",
    404: "Not found.",
    414: "The query string is longer than `MAX_QUERY_STRING_LENGTH` characters.",
    422: "A parameter is invalid, or a parameter is given more than once.",
    500: "Unexpected error (logged).",
    502: "Blizzard's page could not be read (its layout may have changed).",
    503: "Blizzard is rate limiting this instance; retry after `Retry-After` seconds.",
    504: "Blizzard could not be reached or answered with an error.",
}


_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
PLAYER_NOT_FOUND = {
    "model": PlayerNotFoundBody,
    "description": "Blizzard does not know this player: it is not asked again before "
    "`next_check_at` (backoff), and the answer may be reused by the client until then.",
    "headers": _RETRY_AFTER,
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` argument documenting the given error statuses (plus 414 and 422,
    which any route can answer)."""
    documented: dict[int | str, dict[str, Any]] = {
        414: {"model": ErrorBody, "description": _ERROR_DESCRIPTIONS[414]},
        422: {"model": ValidationErrorBody, "description": _ERROR_DESCRIPTIONS[422]},
    }
    for status in statuses:
        documented[status] = {"model": ErrorBody, "description": _ERROR_DESCRIPTIONS[status]}
    if 503 in statuses:
        documented[503]["headers"] = _RETRY_AFTER
    return documented


def document_search_max_limit(app: FastAPI, search_max_limit: int) -> None:
    """Give `/players`' `limit` its `maximum` (a setting, checked by the route itself)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for parameter in schema["paths"]["/players"]["get"]["parameters"]:
                if parameter["name"] == "limit":
                    parameter["schema"]["maximum"] = search_max_limit
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]
