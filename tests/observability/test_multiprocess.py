"""Multiprocess mode: workers sharing a `PROMETHEUS_MULTIPROC_DIR` are rendered as one,
dead workers' counters are kept and their in-flight gauges dropped, and process metrics
list each live worker. Workers are real subprocesses (the mode is chosen at import)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.metrics import ENV_VAR, Metrics, multiprocess_mode

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
from app.metrics import Metrics
metrics = Metrics()
metrics.upstream_call("heroes", "200", 0.1)
request = metrics.http.recorder("/heroes", "GET")
request.start()
request.finish(200, 0.003)
metrics.http.recorder("/maps", "GET").start()  # dies while answering
"""
SCRAPER = """
import os
from app.metrics import Metrics
metrics = Metrics()
metrics.upstream_call("heroes", "200", 0.1)
print(os.getpid())
print(metrics.render()[0].decode())
"""

SINGLE_REQUEST = """
from app.metrics import Metrics
metrics = Metrics()
request = metrics.http.recorder("/heroes", "GET")
request.start()
request.finish(200, 0.003)
print(metrics.render()[0].decode())
"""

TIMED = """
import asyncio
from app.metrics import Metrics

async def main():
    metrics = Metrics()
    request = metrics.http.recorder("/maps", "GET")
    request.start()
    request.finish(200, 0.001)
    before = metrics.render()[0].decode()
    await asyncio.sleep(1.3)  # the flush timer runs
    after = metrics.render()[0].decode()
    print(before.count("owdata_http_requests_total{"), after.count("owdata_http_requests_total{"))

asyncio.run(main())
"""


def python(code: str, directory: Path) -> str:
    env = {**os.environ, ENV_VAR: str(directory)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_workers_are_rendered_as_one(tmp_path: Path) -> None:
    python(WORKER, tmp_path)
    python(WORKER, tmp_path)
    pid, exposition = python(SCRAPER, tmp_path).split("\n", 1)
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(exposition)
        for s in family.samples
    }

    calls = ("owdata_upstream_requests_total", (("page_type", "heroes"), ("status", "200")))
    assert samples[calls] == 3  # two dead workers and the live one
    in_flight = [v for (name, _), v in samples.items() if name == "owdata_http_requests_in_flight"]
    assert sum(in_flight) == 0  # the dead workers' requests are not in flight any more
    heroes = (("method", "GET"), ("route", "/heroes"))
    assert samples["owdata_http_requests_total", (*heroes, ("status", "200"))] == 2
    assert samples["owdata_http_request_duration_seconds_bucket", (("le", "0.005"), *heroes)] == 2
    memory = {labels for name, labels in samples if name == "process_resident_memory_bytes"}
    assert memory == {(("pid", pid),)}  # only live workers
    assert any(name == "owdata_build_info" for name, _ in samples)  # scrape-time gauges too


def test_both_modes_expose_the_same_request_series(tmp_path: Path) -> None:
    local = Metrics()
    request = local.http.recorder("/heroes", "GET")
    request.start()
    request.finish(200, 0.003)
    shared_text = python(SINGLE_REQUEST, tmp_path)

    def http_samples(text: str) -> set[tuple[str, tuple[tuple[str, str], ...], float]]:
        return {
            (s.name, tuple(sorted(s.labels.items())), s.value)
            for family in text_string_to_metric_families(text)
            for s in family.samples
            if s.name.startswith("owdata_http_")
        }

    assert http_samples(local.render()[0].decode()) == http_samples(shared_text)


def test_workers_share_their_counts_within_a_second(tmp_path: Path) -> None:
    assert python(TIMED, tmp_path).split() == ["0", "1"]


def test_the_cli_helper_makes_a_fresh_directory_only_for_several_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    with multiprocess_mode(1) as single:
        assert single is None
    with multiprocess_mode(4) as shared:
        assert shared is not None
        assert os.environ[ENV_VAR] == str(shared)
        assert shared.is_dir()
    assert ENV_VAR not in os.environ
    assert not shared.exists()

    (tmp_path / "counter_123.db").write_bytes(b"left over")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    with multiprocess_mode(1) as chosen:
        assert chosen == tmp_path
        assert not list(tmp_path.glob("*.db"))  # an earlier run's values are not added


def test_setting_the_directory_after_import_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path))

    with pytest.raises(RuntimeError, match="before prometheus_client is first imported"):
        Metrics()
