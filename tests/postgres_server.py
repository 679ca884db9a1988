"""Run a real, throwaway PostgreSQL server for tests, from Debian's `postgresql` binaries.

`initdb` refuses to run as root, so when the tests run as root the server runs as the
`postgres` system user (the package creates it), in a temporary directory it owns. The
server listens on a free loopback port and on a unix socket in that directory, trusts
local connections (user `owdata`, no password) and trades durability for speed
(`fsync=off`): it only ever holds test data. `restart()` keeps the port, so clients can
show that they reconnect by themselves. Starting takes about a second.

Example:
    server = PostgresProcess(find_postgres_bin())
    server.start()
    try:
        url = server.create_database()   # postgresql://owdata@127.0.0.1:PORT/test_1
        ...
    finally:
        server.stop()
"""

from __future__ import annotations

import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["PostgresBinaryMissingError", "PostgresProcess", "find_postgres_bin"]

_HOST = "127.0.0.1"
USER = "owdata"
SEARCHED = ("/usr/lib/postgresql/*/bin",)


class PostgresBinaryMissingError(RuntimeError):
    """No `initdb`/`postgres` binaries (install Debian's `postgresql` package)."""


def find_postgres_bin() -> Path:
    """The newest `/usr/lib/postgresql/N/bin` holding `initdb`, or `initdb` on PATH."""
    candidates = sorted(
        (p for pattern in SEARCHED for p in Path("/").glob(pattern.lstrip("/"))),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "postgres").is_file():
            return directory
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresBinaryMissingError(
        "PostgreSQL server binaries not found (apt-get install postgresql)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _as_user(uid: int | None, gid: int | None) -> Callable[[], None]:
    """Runs in the child before exec: drop to the `postgres` user (when we are root), then
    ask Linux to SIGTERM the child if the test process dies without cleaning up (set after
    the user change, which would clear it)."""

    def prepare() -> None:
        if uid is not None and gid is not None:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
        if sys.platform == "linux":
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    return prepare


class PostgresProcess:
    """One `postgres` server: `start`, `stop`, `restart` on the same port, `create_database`."""

    def __init__(self, bin_dir: Path, *, start_timeout: float = 30.0) -> None:
        self._bin = bin_dir
        self._start_timeout = start_timeout
        self._port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None
        self._databases = 0
        self._uid: int | None = None
        self._gid: int | None = None
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")  # KeyError: no such user (the package makes it)
            self._uid, self._gid = entry.pw_uid, entry.pw_gid

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the PostgreSQL server was never started")
        return self._port

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@{_HOST}:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            args, capture_output=True, preexec_fn=_as_user(self._uid, self._gid), check=False
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).decode(errors="replace")
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{output}")

    def _init(self) -> Path:
        workdir = Path(tempfile.mkdtemp(prefix="owdata-pg-"))
        if self._uid is not None and self._gid is not None:
            os.chown(workdir, self._uid, self._gid)
        data = workdir / "data"
        self._run(
            str(self._bin / "initdb"), "-D", str(data), "-U", USER, "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        return workdir

    def start(self) -> None:
        """Start the server (initialising it the first time); wait until it accepts."""
        if self.running:
            raise RuntimeError(f"the PostgreSQL server already runs on port {self.port}")
        if self._workdir is None:
            self._workdir = self._init()
        if self._port is None:
            self._port = _free_port()
        log = self._workdir / "postgres.log"
        args = [
            str(self._bin / "postgres"), "-D", str(self._workdir / "data"),
            "-p", str(self._port), "-h", _HOST, "-k", str(self._workdir),
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=300", "-c", "shared_buffers=64MB",
        ]  # fmt: skip
        with log.open("ab") as out:
            self._process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                preexec_fn=_as_user(self._uid, self._gid),  # noqa: PLW1509
            )
        try:
            self._wait_until_ready(log)
        except BaseException:
            self.stop(cleanup=False)
            raise

    def _wait_until_ready(self, log: Path) -> None:
        deadline = time.monotonic() + self._start_timeout
        while True:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"postgres exited while starting:\n{_tail(log)}")
            ready = subprocess.run(
                [str(self._bin / "pg_isready"), "-h", _HOST, "-p", str(self.port), "-q"],
                check=False,
            )
            if ready.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"postgres did not start in time:\n{_tail(log)}")
            time.sleep(0.05)

    def stop(self, *, cleanup: bool = True) -> None:
        """Fast shutdown (SIGINT), SIGKILL after 10 s; `cleanup` also removes the data."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if cleanup and self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def restart(self) -> None:
        """Stop and start again on the same port, with the same data."""
        self.stop(cleanup=False)
        self.start()

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL through `psql` (as the trusted `owdata` user); return its output."""
        result = subprocess.run(
            [str(self._bin / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
             "-d", self.url(database), "-c", sql],
            capture_output=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr.decode(errors='replace')}")
        return result.stdout.decode()

    def create_database(self) -> str:
        """A new, empty database; returns its URL."""
        self._databases += 1
        name = f"test_{os.getpid()}_{self._databases}"
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by `create_database` (its connections are ended)."""
        name = url.rsplit("/", 1)[-1]
        self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log written)"
    return "\n".join(text.splitlines()[-lines:])
