"""Deployment fixtures: the real nginx, configured by the repo's own entry point, in front of
the real app (`owdata serve` in a subprocess) whose upstream is the fake Blizzard site.

nginx is started exactly as the container starts it: `sh nginx/entrypoint.sh` renders
`nginx/nginx.conf.template` from environment variables, runs `nginx -t`, then execs nginx in
the foreground. Only the values differ: loopback addresses, a temporary prefix (pid, cache,
temporary files) and, when the tests run as root, `nobody` as the workers' user.

Tools missing (nginx, envsubst, dclint) skip these tests with the reason, and fail them
under CI=true, where `.ci/run` installs them.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from app.devtools.fake_upstream import FakeUpstreamServer

REPO = Path(__file__).resolve().parents[2]
ENTRYPOINT = REPO / "nginx" / "entrypoint.sh"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Debian puts nginx in /usr/sbin, which a non-root PATH may lack.
TOOL_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
TRUSTED_PROXY = "127.0.0.9"

# The limits the tests render: a burst test exceeds them even on a slow machine (its 25
# requests would have to take 10 s to stay under), while every other test sends at most a
# handful of requests from an address of its own.
TEST_SETTINGS = {
    "NGINX_RATE_LIMIT": "2",
    "NGINX_RATE_LIMIT_BURST": "5",
    # Fewer than the burst: a test can exceed it without tripping the request rate.
    "NGINX_MAX_CONNECTIONS_PER_IP": "3",
    "NGINX_TRUSTED_PROXIES": TRUSTED_PROXY,
    "NGINX_MICROCACHE_SECONDS": "60",
    "NGINX_WORKER_PROCESSES": "1",
    "NGINX_ERROR_LOG_LEVEL": "error",
}


def require_tool(name: str, install: str) -> str:
    """The tool's path; skips the test without it, or fails it under CI=true."""
    path = shutil.which(name, path=TOOL_PATH)
    if path is not None:
        return path
    reason = f"{name} not found (install it: {install})"
    if IN_CI:
        pytest.fail(f"CI requires {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stop(proc: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGTERM) -> None:
    """Stop a process started in a session of its own, and everything it forked."""
    if proc.poll() is None:
        proc.send_signal(sig)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
    # Whatever is left (nginx workers outlive a killed master) goes with the process group.
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # uvicorn may linger after a failed start (threads left running): don't wait for it.
        if proc.poll() is not None or "Application startup failed" in log.read_text():
            raise RuntimeError(f"{proc.args!r} did not start:\n{log.read_text()}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout} s:\n{log.read_text()}")


@dataclass
class AppServer:
    """`owdata serve` in a subprocess, with its access log in a file to count its requests."""

    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def hits(self, path: str) -> int:
        """How many requests for `path` (decoded, any query) reached the app."""
        pattern = re.compile(rf'"[A-Z]+ {re.escape(path)}(\?[^ ]*)? HTTP/1\.1"')
        return len(pattern.findall(self.log.read_text()))

    def stop(self) -> None:
        _stop(self.proc)


def start_app(workdir: Path, upstream_url: str) -> AppServer:
    port = free_port()
    log = workdir / "app.log"
    env = {
        **os.environ,
        "BLIZZARD_HOST": upstream_url,
        "STORAGE_PATH": str(workdir / "owdata.db"),
        "VALKEY_URL": "",
        "ACCESS_LOG": "true",
        "LOG_LEVEL": "info",
        # The throttle's spacing is tested on its own; here it would only slow tests down.
        "THROTTLE_START_DELAY": "0",
        "THROTTLE_MIN_DELAY": "0",
        "PYTHONUNBUFFERED": "1",  # the access log is counted while the app runs
    }
    command = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1"]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=workdir,  # not the repo: a developer's .env must not leak in
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = AppServer(f"http://127.0.0.1:{port}", proc, log)
    try:
        _wait_for(f"{server.url}/openapi.json", proc, log)
    except BaseException:
        server.stop()
        raise
    return server


def entrypoint_env(prefix: Path, settings: Mapping[str, str]) -> dict[str, str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NGINX_")},
        "PATH": TOOL_PATH,
        "NGINX_ACCESS_LOG": str(prefix / "access.log"),
        **settings,
    }
    if os.geteuid() == 0:  # the master runs as root: workers drop to an unprivileged user
        env["NGINX_WORKER_USER"] = "nobody"
    return env


def run_entrypoint(
    prefix: Path, mode: str, settings: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run `nginx/entrypoint.sh --prefix PREFIX MODE` (render or check) with `settings`."""
    return subprocess.run(
        ["sh", str(ENTRYPOINT), "--prefix", str(prefix), mode],
        env=entrypoint_env(prefix, settings),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def nginx_prefix() -> Path:
    """A folder the workers (`nobody`) can traverse: pytest's tmp_path is private to root."""
    prefix = Path(tempfile.mkdtemp(prefix="owdata-nginx-"))
    prefix.chmod(0o755)
    return prefix


@pytest.fixture
def prefix() -> Iterator[Path]:
    """An nginx prefix for one test, removed after it."""
    folder = nginx_prefix()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Nginx:
    url: str
    prefix: Path
    proc: subprocess.Popen[bytes]

    def client(self, source: str = "127.0.0.1") -> httpx.Client:
        """A client whose connections come from `source` (any 127.0.0.0/8 address)."""
        transport = httpx.HTTPTransport(local_address=source)
        return httpx.Client(base_url=self.url, transport=transport, timeout=30)

    def stop(self) -> None:
        _stop(self.proc, signal.SIGQUIT)  # graceful, as `docker stop` would (SIGQUIT)


@dataclass
class NginxRequirements:
    nginx: str
    envsubst: str


@pytest.fixture(scope="session")
def nginx_tools() -> NginxRequirements:
    return NginxRequirements(
        nginx=require_tool("nginx", "apt-get install nginx-light"),
        envsubst=require_tool("envsubst", "apt-get install gettext-base"),
    )


def start_nginx(upstream: str, settings: Mapping[str, str]) -> Nginx:
    prefix = nginx_prefix()
    port = free_port()
    all_settings = {
        **TEST_SETTINGS,
        "NGINX_LISTEN": f"127.0.0.1:{port}",
        "NGINX_UPSTREAM": upstream.removeprefix("http://"),
        **settings,
    }
    log = prefix / "entrypoint.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["sh", str(ENTRYPOINT), "--prefix", str(prefix)],  # run: render, check, exec nginx
            env=entrypoint_env(prefix, all_settings),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Nginx(f"http://127.0.0.1:{port}", prefix, proc)
    try:
        _wait_for(f"{server.url}/nginx-health", proc, log)
    except BaseException:
        server.stop()
        shutil.rmtree(prefix, ignore_errors=True)
        raise
    return server


class PolicyUpstream:
    """A stand-in for the app: `GET /any/path?status=S&cache_control=C` answers status S with
    `Cache-Control: C`, so tests can check what nginx stores for each combination. Counts
    the requests it receives per path and query."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                upstream.hits[self.path] += 1
                query = parse_qs(urlsplit(self.path).query)
                body = b'{"ok":true}'
                self.send_response(int(query["status"][0]))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", query["cache_control"][0])
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PolicyUpstream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)


@dataclass
class PolicyStack:
    upstream: PolicyUpstream
    nginx: Nginx


@pytest.fixture(scope="module")
def policy_stack(nginx_tools: NginxRequirements) -> Iterator[PolicyStack]:
    """nginx (the test settings: a 60 s hold) in front of a `PolicyUpstream`."""
    with PolicyUpstream() as upstream:
        nginx = start_nginx(upstream.url, {})
        try:
            yield PolicyStack(upstream, nginx)
        finally:
            nginx.stop()
            shutil.rmtree(nginx.prefix, ignore_errors=True)


@dataclass
class Stack:
    upstream: FakeUpstreamServer
    app: AppServer
    nginx: Nginx


@pytest.fixture(scope="session")
def fake_upstream(fixtures_path: Path) -> Iterator[FakeUpstreamServer]:
    with FakeUpstreamServer(fixtures_path) as server:
        yield server


@contextmanager
def running_stack(
    upstream: FakeUpstreamServer, workdir: Path, settings: Mapping[str, str] | None = None
) -> Iterator[Stack]:
    """The app, then nginx in front of it; both stopped (and nginx's prefix removed) after."""
    app = start_app(workdir, upstream.url)
    try:
        nginx = start_nginx(app.url, settings or {})
        try:
            yield Stack(upstream, app, nginx)
        finally:
            nginx.stop()
            shutil.rmtree(nginx.prefix, ignore_errors=True)
    finally:
        app.stop()


@pytest.fixture(scope="module")
def stack(
    nginx_tools: NginxRequirements,
    fake_upstream: FakeUpstreamServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    """One app and one nginx shared by a module's tests (each test uses its own paths)."""
    with running_stack(fake_upstream, tmp_path_factory.mktemp("stack")) as running:
        yield running


_addresses = (f"127.0.{i // 250}.{i % 250 + 2}" for i in itertools.count(250))


@pytest.fixture
def client_address() -> str:
    """A loopback address no other test uses: a rate-limit bucket of the test's own."""
    return next(_addresses)
