"""Shared test fixtures: where the captured upstream pages are, and how to read them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from app.devtools.fixtures import FIXTURES_ENV_VAR, fixtures_dir

pytest_plugins = ["tests.valkey_fixtures", "tests.postgres_fixtures"]


def _require_fixtures() -> Path:
    path = fixtures_dir()
    if (path / "blizzard" / "manifest.json").is_file():
        return path
    reason = (
        f"captured upstream pages not found at {path} "
        f"(set {FIXTURES_ENV_VAR} to the shared/fixtures folder)"
    )
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI requires the fixtures: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def fixtures_path() -> Path:
    """The shared fixtures folder; skips (or fails under CI=true) when it is absent."""
    return _require_fixtures()


class Pages:
    """Reads captured upstream pages and OverFast's expected answers."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def blizzard(self, relative: str) -> str:
        """A captured page, e.g. `en-us/heroes/ana/index.html`."""
        return (self.root / "blizzard" / relative).read_text(encoding="utf-8")

    def expected(self, name: str) -> dict[str, Any]:
        """An expected OverFast answer `{"status": ..., "body": ...}` by file name."""
        data: dict[str, Any] = json.loads(
            (self.root / "expected" / name).read_text(encoding="utf-8")
        )
        return data


@pytest.fixture(scope="session")
def pages(fixtures_path: Path) -> Pages:
    return Pages(fixtures_path)
