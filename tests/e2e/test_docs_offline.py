"""The documentation pages render with no network: `/` (Redoc) and `/docs` (Swagger UI) in
headless Chromium, every request outside loopback refused, and the operations found in
the rendered page.

Chromium's only way out is a proxy that refuses everything (loopback is never proxied), so
a page needing a CDN stays blank, as on a machine without internet. Its network log
tells which requests the page itself made: all must go to the app. Chromium missing skips
these tests with the reason; under CI=true (`.ci/run` installs it) it fails them.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.processes import serving

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Where FastAPI's default pages load their assets from.
CDN_HOSTS = ("cdn.jsdelivr.net", "fonts.googleapis.com", "fastapi.tiangolo.com", "cdn.redoc.ly")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--virtual-time-budget=10000",
)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is not None:
        return path
    reason = "chromium not found (install it: apt-get install chromium)"
    if IN_CI:
        pytest.fail(f"CI requires {reason}", pytrace=False)
    pytest.skip(reason)


class RefusingProxy:
    """An HTTP proxy that answers nothing: it records each request line and hangs up."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.sock.settimeout(0.1)  # to notice `close()`: it does not interrupt accept()
        self.requests: list[str] = []
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                with contextlib.suppress(OSError):
                    self.requests.append(conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1"))

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("docs")) as (_, url):
        yield url


@pytest.fixture(scope="module")
def operations(app_url: str) -> list[tuple[str, str]]:
    schema = httpx.get(f"{app_url}/openapi.json", timeout=10).json()
    found = [
        (path, operation["summary"])
        for path, methods in schema["paths"].items()
        for operation in methods.values()
    ]
    assert len(found) >= 10
    return found


def render(chromium: str, url: str, workdir: Path) -> tuple[str, list[str], list[str]]:
    """The DOM Chromium rendered for `url`, the URLs the page requested, and the requests
    that tried to leave loopback (Chromium's own included)."""
    proxy = RefusingProxy()
    net_log = workdir / "net.json"
    try:
        result = subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={workdir / 'profile'}",
                f"--proxy-server={proxy.url}",
                f"--log-net-log={net_log}",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    finally:
        proxy.close()
    return result.stdout, page_requests(net_log, url), proxy.requests


def page_requests(net_log: Path, url: str) -> list[str]:
    """URLs of the requests the page at `url` initiated (not Chromium's own services)."""
    origin = re.match(r"https?://[^/]+", url)
    assert origin is not None
    log: dict[str, Any] = json.loads(net_log.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start and event.get("params", {}).get("initiator") == origin.group()
    ]


def local_references(page: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page)


@pytest.mark.parametrize("path", ["/", "/docs"])
def test_the_served_page_loads_only_local_assets(app_url: str, path: str) -> None:
    answer = httpx.get(f"{app_url}{path}", timeout=10)

    references = local_references(answer.text)
    assert references
    assert all(ref.startswith("/") and not ref.startswith("//") for ref in references)
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self' " in policy
    for ref in references:
        assert httpx.get(f"{app_url}{ref}", timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("path", "shows"),
    [
        ("/", lambda path, summary: [html.escape(summary, quote=False)]),
        ("/docs", lambda path, summary: [f'data-path="{path}"', html.escape(summary, quote=False)]),
    ],
    ids=["redoc", "swagger-ui"],
)
def test_the_page_renders_every_operation_without_network(
    chromium: str,
    app_url: str,
    operations: list[tuple[str, str]],
    tmp_path: Path,
    path: str,
    shows: Any,
) -> None:
    dom, requested, refused = render(chromium, f"{app_url}{path}", tmp_path)

    missing = [
        (op_path, text)
        for op_path, summary in operations
        for text in shows(op_path, summary)
        if text not in dom
    ]
    assert missing == []
    assert f"{app_url}/openapi.json" in requested  # the page ran and the log saw it
    assert [url for url in requested if not url.startswith(f"{app_url}/")] == []
    assert [line for line in refused if any(host in line for host in CDN_HOSTS)] == []
