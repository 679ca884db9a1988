"""`owdata` commands as real processes, their stderr read line by line as it comes.

Each runs in a temporary working directory (no developer's `.env` leaks in) with an
environment stripped of owdata's settings, plus the ones a test gives.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from app.config import Settings

SETTING_NAMES = frozenset(name.upper() for name in Settings.model_fields)
# No test here needs Blizzard: a closed port on loopback (the discard port) stands for it.
NO_UPSTREAM = "http://127.0.0.1:9"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def command_env(workdir: Path, settings: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    return {
        **env,
        "STORAGE_PATH": str(workdir / "owdata.db"),
        "BLIZZARD_HOST": NO_UPSTREAM,
        "PYTHONUNBUFFERED": "1",
        **settings,
    }


class Command:
    """A running `owdata …` whose stderr lines are collected by a thread."""

    def __init__(self, args: list[str], workdir: Path, settings: Mapping[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", *args],
            cwd=workdir,
            env=command_env(workdir, settings),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        """The first stderr line matching `pattern`, waiting for it to be written."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                match = regex.search(line)
                if match:
                    return match
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.02)
        raise AssertionError(f"no line matching {pattern!r}; stderr:\n" + "\n".join(self.lines))

    def matching(self, pattern: str) -> list[str]:
        regex = re.compile(pattern)
        return [line for line in list(self.lines) if regex.search(line)]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._reader.join(timeout=5)


@contextmanager
def owdata(
    args: list[str], workdir: Path, settings: Mapping[str, str] | None = None
) -> Iterator[Command]:
    command = Command(args, workdir, settings or {})
    try:
        yield command
    finally:
        command.stop()


def run_owdata(
    args: list[str], workdir: Path, settings: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command that is expected to end by itself (a refused argument, `--help`)."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=workdir,
        env=command_env(workdir, settings or {}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


SERVING = r"serving on (http://\S+) "


@contextmanager
def serving(
    workdir: Path, settings: Mapping[str, str] | None = None, *extra: str
) -> Iterator[tuple[Command, str]]:
    """`owdata serve` on a free port; yields the command and the URL its serving line names."""
    port = free_port()
    with owdata(["serve", "--port", str(port), *extra], workdir, settings) as command:
        url = command.wait_for(SERVING).group(1)
        yield command, url
