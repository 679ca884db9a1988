"""An `Upstream` that keeps every answer it gets, and writes them as a fixtures folder.

`RecordingUpstream` asks the upstream like the app's `HttpUpstream` does (same errors, a
403 is `UpstreamRateLimitedError`, redirects followed), but follows redirects itself so
that each hop is kept: the BattleTag career URL's 302 and its `Location` as much as the
page it leads to. `write_fixtures` then writes the hops in the format of the shared
fixtures (`blizzard/manifest.json` with status, content type, location, and one file per
body), which `owdata fake-upstream --fixtures DIR` serves.

Example:
    recorder = RecordingUpstream.create(base_url="https://overwatch.blizzard.com")
    await recorder.get("/en-us/career/TeKrop-2217/", page_type="career")  # 302, then 200
    write_fixtures(Path("capture"), recorder.base_url, recorder.hops)
    await recorder.close()
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from app.adapters.upstream.http import RATE_LIMIT_STATUS, upstream_response
from app.domain.errors import (
    UpstreamConnectionError,
    UpstreamTimeoutError,
)
from app.ports import UpstreamResponse

MAX_REDIRECTS = 5
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True, slots=True)
class Hop:
    """One answer: the path and query asked (as sent), and what came back."""

    path: str
    query: str
    status: int
    content_type: str
    location: str | None
    body: bytes


class RecordingUpstream:
    """The upstream port over httpx, keeping each answer (403s aside) in `hops`."""

    def __init__(self, client: httpx.AsyncClient, *, penalty_seconds: int = 60) -> None:
        self._client = client
        self._penalty_seconds = penalty_seconds
        self.hops: list[Hop] = []

    @classmethod
    def create(
        cls,
        *,
        base_url: str,
        timeout: float = 10.0,
        user_agent: str = "owdata",
        penalty_seconds: int = 60,
    ) -> RecordingUpstream:
        client = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            headers={"User-Agent": user_agent},
            follow_redirects=False,
        )
        return cls(client, penalty_seconds=penalty_seconds)

    @property
    def base_url(self) -> str:
        return str(self._client.base_url).rstrip("/")

    async def get(
        self,
        path: str,
        *,
        page_type: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        accept_statuses: frozenset[int] = frozenset({200}),
    ) -> UpstreamResponse:
        request = self._client.build_request("GET", path, params=params, headers=headers)
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._send(request)
            if response.next_request is None:
                return self._final(response, accept_statuses)
            request = response.next_request
        raise UpstreamConnectionError("Blizzard redirected too many times")

    async def _send(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._client.send(request)
        except httpx.TimeoutException:
            raise UpstreamTimeoutError("Blizzard took too long to respond") from None
        except httpx.HTTPError:
            raise UpstreamConnectionError("Could not reach Blizzard") from None
        if response.status_code != RATE_LIMIT_STATUS:  # a refusal, not a page: asked again later
            self.hops.append(self._hop(response))
        return response

    def _hop(self, response: httpx.Response) -> Hop:
        raw = response.request.url.raw_path.decode("ascii")
        path, _, query = raw.partition("?")
        location = None
        if response.next_request is not None:
            target = response.next_request.url
            same_site = target.host == self._client.base_url.host
            # A same-site redirect is kept as a path: replayed, it stays on the fake upstream.
            location = target.raw_path.decode("ascii") if same_site else str(target)
        return Hop(
            path=path,
            query=query,
            status=response.status_code,
            content_type=response.headers.get("content-type", "application/octet-stream"),
            location=location,
            body=response.content,
        )

    def _final(self, response: httpx.Response, accept: frozenset[int]) -> UpstreamResponse:
        return upstream_response(response, accept, self._penalty_seconds)

    async def close(self) -> None:
        await self._client.aclose()


def file_for(hop: Hop) -> str:
    """Where a hop's body goes, relative to the fixtures folder: `blizzard/<path>/index.*`."""
    segments = [_UNSAFE.sub("_", part) for part in hop.path.split("/") if part]
    segments = [part if part.strip(".") else "_" for part in segments]
    name = "index"
    if hop.query:
        name += "-" + hashlib.sha256(hop.query.encode()).hexdigest()[:12]
    name += ".json" if "json" in hop.content_type else ".html"
    return "/".join(["blizzard", *segments, name])


def write_fixtures(root: Path, host: str, hops: Iterable[Hop]) -> int:
    """Write `root/blizzard/manifest.json` and the bodies; return the number of routes.

    The last answer for a path and query wins (a page asked again after a failure).
    """
    latest = {(hop.path, hop.query): hop for hop in hops}
    routes = []
    for hop in latest.values():
        file = file_for(hop) if hop.body else None
        if file is not None:
            (root / file).parent.mkdir(parents=True, exist_ok=True)
            (root / file).write_bytes(hop.body)
        route: dict[str, object] = {"path": hop.path}
        if hop.query:
            route["query"] = hop.query
        route |= {"status": hop.status, "content_type": hop.content_type, "file": file}
        if hop.location is not None:
            route["location"] = hop.location
        routes.append(route)
    manifest = {
        "host": host,
        "captured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "note": "written by `owdata capture`; serve it with `owdata fake-upstream --fixtures`",
        "routes": routes,
    }
    (root / "blizzard").mkdir(parents=True, exist_ok=True)
    text = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
    (root / "blizzard" / "manifest.json").write_text(text, encoding="utf-8")
    return len(routes)
