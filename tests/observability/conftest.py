"""Observability fixtures: promtool (required under CI=true), a fresh `Metrics`, and the
end-to-end fixtures (the real app in front of the fake Blizzard site)."""

from __future__ import annotations

import os
import shutil

import pytest

from app.metrics import Metrics
from tests.e2e.conftest import app, client, fake_upstream_server, settings, upstream

__all__ = ["app", "client", "fake_upstream_server", "metrics", "promtool", "settings", "upstream"]


@pytest.fixture(scope="session")
def promtool() -> str:
    """Path of promtool; skips without it, fails under CI=true (CI must run these)."""
    path = shutil.which("promtool")
    if path is not None:
        return path
    reason = "promtool not found (Debian: apt-get install prometheus)"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI requires promtool: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def metrics() -> Metrics:
    """A `Metrics` with its own registry, independent of every other test's."""
    return Metrics(version="test")
