"""Response models of `/maps` and `/gamemodes` (curated data)."""

from __future__ import annotations

from pydantic import Field

from app.api.models.common import ApiModel, Url


class GamemodeDetails(ApiModel):
    key: str = Field(description="Game mode key.", examples=["push"])
    name: str = Field(examples=["Push"])
    icon: Url
    description: str
    screenshot: Url


class MapDetails(ApiModel):
    key: str = Field(description="Map key.", examples=["aatlis"])
    name: str = Field(examples=["Aatlis"])
    screenshot: Url
    gamemodes: list[str] = Field(description="Keys of the game modes played on this map.")
    location: str = Field(examples=["Morocco"])
    country_code: str | None = Field(
        description="ISO 3166 alpha-2 code (`UK` for the United Kingdom, as OverFast); null "
        "for places outside any country.",
        examples=["MA"],
    )
