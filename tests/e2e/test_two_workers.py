"""Two `owdata worker` processes on one host (issue 12, defect 5): the second one, whose
metrics port is taken, stops at once with a one-line error instead of a traceback; with
its own port (or port 0) it runs beside the first."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.harness import free_port


def start_worker(tmp_path: Path, metrics_port: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "STORAGE_PATH": str(tmp_path / "owdata.db"),
        "BLIZZARD_HOST": "http://127.0.0.1:9",  # never reached: the queue is empty
        "WORKER_METRICS_PORT": str(metrics_port),
        "WORKER_POLL_INTERVAL": "0.05",
        "LOG_LEVEL": "info",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_metrics(port: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/metrics").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"no metrics on port {port}")


def stop(proc: subprocess.Popen[str]) -> str:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=15)
    return err


def test_a_second_worker_on_a_taken_port_stops_with_one_line(tmp_path: Path) -> None:
    port = free_port()
    first = start_worker(tmp_path, port)
    try:
        wait_for_metrics(port, first)
        second = start_worker(tmp_path, port)
        _, err = second.communicate(timeout=30)
        assert first.poll() is None  # the first one is unaffected
    finally:
        first_err = stop(first)

    assert second.returncode == 1
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("owdata worker:")]
    assert len(lines) == 1, err
    assert f"127.0.0.1:{port}" in lines[0]
    assert "WORKER_METRICS_PORT" in lines[0]
    assert first.returncode == 0, first_err


def test_workers_with_their_own_ports_run_side_by_side(tmp_path: Path) -> None:
    port = free_port()
    first = start_worker(tmp_path, port)
    second = start_worker(tmp_path, 0)
    try:
        wait_for_metrics(port, first)
        deadline = time.monotonic() + 20
        while "worker started" not in (second.stderr.readline() if second.stderr else ""):
            assert second.poll() is None
            assert time.monotonic() < deadline
    finally:
        errors = stop(first), stop(second)
    assert (first.returncode, second.returncode) == (0, 0), errors
