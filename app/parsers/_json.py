"""Strict JSON loading for the upstream JSON endpoints (search, rates)."""

from __future__ import annotations

import json
from typing import Any

from app.domain.errors import ParseError


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def load_json(payload: str | bytes, page_type: str) -> Any:
    """`payload` as JSON; NaN/Infinity and bad UTF-8 are refused. Raises `ParseError`
    (section `json`) naming `page_type` when it is not valid JSON."""
    try:
        return json.loads(payload, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError/UnicodeDecodeError too
        raise ParseError(page_type, "json", f"not valid JSON: {exc}") from exc
