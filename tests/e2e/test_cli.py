"""`owdata serve` and `owdata worker` as a user runs them: refused arguments, the serving
line, `APP_BASE_URL` following the address served, and where the worker's metrics are."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import SERVING, free_port, owdata, run_owdata, serving


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--port", "99999"], "99999"),
        (["--port", "0"], "0"),
        (["--port", "-1"], "-1"),
        (["--port", "http"], "http"),
        (["--workers", "0"], "0"),
        (["--workers", "many"], "many"),
        (["--host", "not a host"], "not a host"),
        (["--host", "no-such-host.invalid"], "no-such-host.invalid"),
    ],
)
def test_a_bad_argument_is_one_line_and_exit_status_2(
    tmp_path: Path, args: list[str], named: str
) -> None:
    result = run_owdata(["serve", *args], tmp_path)

    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"owdata serve: argument {args[0]}: ")
    assert named in lines[0]
    assert "serving on" not in result.stderr + result.stdout


def test_a_port_in_use_is_one_line_without_a_serving_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = run_owdata(["serve", "--port", str(port)], tmp_path)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"owdata: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


def test_help_shows_the_defaults(tmp_path: Path) -> None:
    result = run_owdata(["serve", "--help"], tmp_path)

    assert result.returncode == 0
    assert "(default: 127.0.0.1)" in result.stdout
    assert "(default: 8080)" in result.stdout
    assert "(default: 1)" in result.stdout


def test_the_serving_line_comes_once_the_port_answers_and_links_follow_it(
    tmp_path: Path,
) -> None:
    with serving(tmp_path) as (command, url):
        # Printed only once bound and started: the very next request is answered.
        schema = httpx.get(f"{url}/openapi.json", timeout=10).json()
        line = command.matching(SERVING)[0]

    assert url.startswith("http://127.0.0.1:")
    assert f"APP_BASE_URL unset: links use {url}" in line
    assert schema["servers"] == [{"url": url}]


def test_a_set_app_base_url_stays_and_the_line_says_so(tmp_path: Path) -> None:
    public = "https://owdata.example.org"
    with serving(tmp_path, {"APP_BASE_URL": public}) as (command, url):
        schema = httpx.get(f"{url}/openapi.json", timeout=10).json()
        line = command.matching(SERVING)[0]

    assert f"links use APP_BASE_URL {public}" in line
    assert schema["servers"] == [{"url": public}]


def test_several_processes_share_the_served_address_as_app_base_url(tmp_path: Path) -> None:
    with serving(tmp_path, {}, "--workers", "2") as (command, url):
        # The parent prints once the socket listens: a request waits for a worker.
        schema = httpx.get(f"{url}/openapi.json", timeout=60).json()

    assert "(2 processes; APP_BASE_URL unset" in command.matching(SERVING)[0]
    assert schema["servers"] == [{"url": url}]


def test_the_worker_says_where_its_metrics_are_served(tmp_path: Path) -> None:
    port = free_port()
    settings = {"WORKER_METRICS_PORT": str(port), "LOG_LEVEL": "info"}
    with owdata(["worker"], tmp_path, settings) as command:
        match = command.wait_for(r"worker started .*metrics on (http://\S+/metrics)\)")
        scrape = httpx.get(match.group(1), timeout=10)

    assert match.group(1) == f"http://127.0.0.1:{port}/metrics"
    assert scrape.status_code == 200
    assert "owdata_build_info" in scrape.text
