"""OpenAPI metadata: tags, documented error responses, the docs pages."""

from __future__ import annotations

from typing import Any

from app.api.models.common import ErrorBody, ValidationErrorBody

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
    422: "A parameter is invalid.",
    500: "Unexpected error (logged).",
    502: "Blizzard's page could not be read (its layout may have changed).",
    503: "Blizzard is rate limiting this instance; retry after `Retry-After` seconds.",
    504: "Blizzard could not be reached or answered with an error.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` argument documenting the given error statuses (plus 422 and 502)."""
    documented: dict[int | str, dict[str, Any]] = {
        422: {"model": ValidationErrorBody, "description": _ERROR_DESCRIPTIONS[422]},
        502: {"model": ErrorBody, "description": _ERROR_DESCRIPTIONS[502]},
    }
    for status in statuses:
        documented[status] = {"model": ErrorBody, "description": _ERROR_DESCRIPTIONS[status]}
    return documented
