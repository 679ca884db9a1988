"""The floor: a bare ASGI app answering every request with the same bytes and headers.

Run by the benchmarks as `uvicorn bench.floor_app:app` with `FLOOR_BODY_FILE` pointing at
a file holding the body, and `FLOOR_HEADERS` at a JSON file of [name, value] pairs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from starlette.types import Receive, Scope, Send

BODY = Path(os.environ["FLOOR_BODY_FILE"]).read_bytes()
HEADERS = [
    (name.encode(), value.encode())
    for name, value in json.loads(Path(os.environ["FLOOR_HEADERS"]).read_text())
]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
