"""Turning service results into HTTP responses: validate once, serialise once, add headers.

The body is validated against the route's response model, dumped once in OverFast's JSON
format (compact, ASCII-escaped), and those bytes are what the response cache stores.
Error bodies, which no model describes, go through `dump_json`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import Response
from pydantic import TypeAdapter

from app.services.results import Result

JSON = "application/json"


def dump_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode()


def render[T](adapter: TypeAdapter[T], data: Any, *, exclude_unset: bool = False) -> bytes:
    """Validate `data` against `adapter`'s type and serialise it the one way we do.

    pydantic-core writes the bytes straight from the validated model: those `dump_json`
    writes for the same data (tested on every captured answer), at a fraction of the cost
    of dumping to Python objects then through the `json` module. Only a small float's
    exponent is spelt without padding (`1e-7` for `1e-07`), as JSON allows."""
    model = adapter.validate_python(data)
    return adapter.dump_json(model, ensure_ascii=True, exclude_unset=exclude_unset)


def render_result[T](
    adapter: TypeAdapter[T], result: Result, *, exclude_unset: bool = False
) -> bytes:
    """`render` of `result.data`, once per shared view: when the service hands out a view
    it keeps (`Result.renderings`), the bytes rendered from it are kept with it, and a later
    request for the same view object is not validated and written again (its data is only
    read, so its rendering cannot change)."""
    kept = result.renderings
    if kept is None:
        return render(adapter, result.data, exclude_unset=exclude_unset)
    key = (adapter, exclude_unset)  # a TypeAdapter hashes and compares by identity
    found = kept.get(key)
    if isinstance(found, bytes):
        return found
    body = kept[key] = render(adapter, result.data, exclude_unset=exclude_unset)
    return body


def cached_json(
    body: bytes, *, result: Result, max_age: int, now: float, status_code: int = 200
) -> Response:
    """A JSON response with `Cache-Control`, `Age` and `X-Cache-Status` for `result`."""
    age = max(0, int(now - result.generated_at))
    cache_control = f"public, max-age={max_age}"
    if result.stale:
        cache_control += f", stale-while-revalidate={max_age}"
    headers = {
        "Cache-Control": cache_control,
        "Age": str(age),
        "X-Cache-Status": "stale" if result.stale else "miss",
    }
    return Response(body, status_code=status_code, media_type=JSON, headers=headers)


def error_json(
    status_code: int, message: str, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> Response:
    """An error response `{"error": message, ...}` that nothing may cache."""
    body = dump_json({"error": message, **extra})
    all_headers = {"Cache-Control": "no-store", **(headers or {})}
    return Response(body, status_code=status_code, media_type=JSON, headers=all_headers)
