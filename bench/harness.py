"""Benchmark plumbing: start servers as subprocesses, load them with wrk, read figures.

Benchmarks print figures side by side from one run; they are not pass/fail tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {timeout} s")


@contextmanager
def process(
    args: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    ready_url: str | None = None,
    log: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `args` (a server) until the block ends; wait for `ready_url` to answer first.
    Its stderr goes to `log` (a server logging every request must not fill a pipe)."""
    with open(log or os.devnull, "wb") as err:
        proc = subprocess.Popen(
            list(args),
            cwd=REPO_ROOT,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        if ready_url:
            wait_until_up(ready_url)
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass(frozen=True)
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float


_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, *, seconds: int, connections: int = 32, threads: int = 1) -> LoadResult:
    """Load `url` with wrk and return its throughput and latency percentiles."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is required for this benchmark: apt-get install wrk")
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = _RPS.search(out)
    if rps is None or "Non-2xx" in out:
        raise RuntimeError(f"wrk did not report clean 2xx throughput:\n{out}")
    latency = {p: float(v) * _UNIT_MS[u] for p, v, u in _LATENCY.findall(out)}
    return LoadResult(float(rps.group(1)), latency.get("50", 0.0), latency.get("99", 0.0))


def progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def alternating[T](items: Sequence[T], round_index: int) -> list[T]:
    """`items` in order on even rounds and reversed on odd ones: whatever runs first in a
    round (a cooler cache, a quieter machine) is not always the same side."""
    return list(items) if round_index % 2 == 0 else list(reversed(items))


def spread(values: Sequence[float], fmt: str = ".0f") -> str:
    """`median (min–max)` of `values`: the figure and how much the rounds varied."""
    med = statistics.median(values)
    return f"{med:{fmt}} ({min(values):{fmt}}–{max(values):{fmt}})"


def interleaved(
    first: tuple[str, str], second: tuple[str, str], seconds: int, rounds: int
) -> tuple[list[LoadResult], list[LoadResult]]:
    """Warm up two (label, URL) targets with wrk, then load them in rounds whose order
    alternates (A B, B A, ...), so drift (other work on the machine, CPU frequency) and
    going first or second hit both alike."""
    progress("warming up both servers")
    for _, url in (first, second):
        wrk(url, seconds=1)
    results: tuple[list[LoadResult], list[LoadResult]] = ([], [])
    sides = ((first, results[0]), (second, results[1]))
    for i in range(rounds):
        for (label, url), into in alternating(sides, i):
            progress(f"{label}: round {i + 1}/{rounds} ({seconds} s)")
            into.append(wrk(url, seconds=seconds))
    return results


def wait_for_line(log: Path, text: str, timeout: float = 30.0) -> None:
    """Wait until the file `log` (a server's stderr) holds a line containing `text`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and any(text in line for line in log.read_text().splitlines()):
            return
        time.sleep(0.02)
    raise RuntimeError(f"{log} had no line with {text!r} within {timeout} s")


def rss_kib(pid: int) -> tuple[int, int]:
    """(current, peak) resident set size of `pid` in KiB, from /proc (Linux)."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


@contextmanager
def floor_server(
    path: str, response: httpx.Response, header_names: Sequence[str], workdir: Path
) -> Iterator[str]:
    """The bare ASGI floor (`bench.floor_app`) answering `response`'s bytes; yields its URL.

    It sends the headers of `response` named in `header_names` (those present) plus
    `content-length`, and runs under uvicorn with the same settings as `owdata serve`.
    """
    body_file, headers_file = workdir / "floor-body", workdir / "floor-headers.json"
    body_file.write_bytes(response.content)
    headers = [(n, response.headers[n]) for n in header_names if n in response.headers]
    headers.append(("content-length", str(len(response.content))))
    headers_file.write_text(json.dumps(headers))
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "bench.floor_app:app"]
    cmd += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    env = {"FLOOR_BODY_FILE": str(body_file), "FLOOR_HEADERS": str(headers_file)}
    url = f"http://127.0.0.1:{port}{path}"
    with process(cmd, env=env, ready_url=url):
        yield url


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, in seconds) used so far by `pid` and its direct children,
    from /proc (Linux): e.g. an nginx master and its workers."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def rotated_rounds[T](
    targets: Sequence[tuple[str, str]], rounds: int, measure: Callable[[str, str], T]
) -> dict[str, list[T]]:
    """`measure(label, url)` each (label, URL) target once per round, the order rotated
    each round (for two targets: swapped), so neither always runs first or right after
    the other. Returns each label's results, in round order."""
    results: dict[str, list[T]] = {label: [] for label, _ in targets}
    for i in range(rounds):
        shift = i % len(targets)
        for label, url in [*targets[shift:], *targets[:shift]]:
            progress(f"{label}: round {i + 1}/{rounds}")
            results[label].append(measure(label, url))
    return results
