"""Building blocks shared by the response models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Url = Annotated[str, Field(json_schema_extra={"format": "uri"})]
"""An absolute URL, kept byte for byte as Blizzard gave it (no normalisation)."""


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ErrorBody(ApiModel):
    error: str = Field(description="What went wrong, in one sentence.")


class PlayerNotFoundBody(ErrorBody):
    """A player Blizzard does not know; not asked again before `next_check_at`."""

    retry_after: int = Field(description="Seconds until the player is looked up again.")
    next_check_at: int = Field(description="When it will be (Unix time, seconds).")
    check_count: int = Field(description="How many times Blizzard said it does not know them.")


class ValidationErrorBody(ErrorBody):
    detail: list[dict[str, object]] = Field(
        description="Each invalid parameter, as FastAPI reports it (same shape as OverFast)."
    )
