"""Routes of the fake Blizzard site: the fixtures manifest, and overlays tried before it.

A route entry has the manifest's shape (see the fixtures README): `path` (`*` matches one
segment), `status`, `content_type`, `location`, `query`, and the body as either `file`
(relative to the fixtures folder, or absolute) or `body` (text or bytes: a generated or
mutated page, no file needed).

An **overlay** is a list of such entries tried before the manifest's routes, so it can
add pages or replace what the manifest answers for some paths, without copying fixtures:

    >>> server.app.overlay(without_redirects(fixtures_dir()))     # doctest: +SKIP
    >>> server.app.overlay([{"path": "/en-us/career/Solo-1234/", "status": 200,
    ...                      "body": mutated_html}])               # doctest: +SKIP

`FakeUpstream(root, overlay=...)` keeps one for the server's life (`owdata fake-upstream
--overlay routes.json` reads one from a file shaped like the manifest); `overlay()` adds
one until `reset()`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.player_ids import CAREER_PREFIX

RouteEntry = Mapping[str, Any]
"""One route as written in `manifest.json` (plus the optional inline `body`)."""


@dataclass(frozen=True, slots=True)
class Route:
    segments: tuple[str, ...]
    query: str | None
    status: int
    content_type: str
    file: Path | None
    location: str | None
    body: bytes | None = None
    """Inline body; when set, `file` is not read."""

    def matches(self, segments: tuple[str, ...], query: str) -> bool:
        if len(segments) != len(self.segments):
            return False
        if any(want not in ("*", got) for want, got in zip(self.segments, segments, strict=True)):
            return False
        return self.query is None or self.query in ("*", query)


def segments_of(path: str) -> tuple[str, ...]:
    return tuple(path.split("/"))


def manifest_entries(root: Path) -> list[dict[str, Any]]:
    """The routes of `root/blizzard/manifest.json`, as written there."""
    manifest = json.loads((root / "blizzard" / "manifest.json").read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = manifest["routes"]
    return entries


def read_overlay(path: Path) -> list[dict[str, Any]]:
    """The routes of an overlay file shaped like the manifest (`{"routes": [...]}`)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = data["routes"]
    return entries


def build_routes(root: Path, entries: Iterable[RouteEntry]) -> list[Route]:
    """Turn entries into routes; `file` paths are resolved against `root`."""
    return [_route(root, entry) for entry in entries]


def _route(root: Path, entry: RouteEntry) -> Route:
    body = entry.get("body")
    if isinstance(body, str):
        body = body.encode("utf-8")
    return Route(
        segments=segments_of(entry["path"]),
        query=entry.get("query"),
        status=int(entry["status"]),
        content_type=entry.get("content_type", "text/html; charset=utf-8"),
        file=(root / entry["file"]) if entry.get("file") else None,
        location=entry.get("location"),
        body=body,
    )


def load_routes(root: Path) -> list[Route]:
    """The manifest's routes, in order."""
    return build_routes(root, manifest_entries(root))


def without_redirects(
    root: Path, entries: Sequence[RouteEntry] | None = None
) -> list[dict[str, Any]]:
    """An overlay serving every redirected career page at its BattleTag's own URL.

    For each career route of the manifest (or of `entries`) that redirects
    `/en-us/career/<BattleTag>/` to a Blizzard ID, the target's page with HTTP 200 at the
    BattleTag's URL, as Blizzard answered until 2025. The Blizzard ID URLs keep working.
    """
    routes = list(manifest_entries(root) if entries is None else entries)
    by_path = {entry["path"]: entry for entry in routes}
    overlay: list[dict[str, Any]] = []
    for entry in routes:
        location = entry.get("location")
        if not entry["path"].startswith(CAREER_PREFIX) or not location:
            continue
        target = by_path.get(location)
        if target is None:
            continue
        served = {key: value for key, value in target.items() if key != "path"}
        overlay.append({**served, "path": entry["path"]})
    return overlay
