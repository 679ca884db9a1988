"""`owdata capture` → `owdata fake-upstream --fixtures DIR` → the app: same answers offline.

The fake Blizzard site plays the real one: the capture is taken from it (over HTTP, through
the CLI), served by a second fake upstream started with the CLI, and the app run against
each must give the same answers for the captured routes, and not for the others.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.adapters.throttle import ThrottledUpstream
from app.adapters.throttle.memory import MemoryThrottleStore
from app.config import Settings
from app.devtools.capture import CapturePlan, capture
from app.devtools.capture_recorder import RecordingUpstream
from app.devtools.fake_upstream import FakeUpstreamServer
from app.services.throttle import Throttle, ThrottleConfig
from tests.e2e.conftest import running

PLAYER = "TeKrop-2217"
CAPTURED_ROUTES = [
    "/heroes",
    "/heroes/ana",
    "/heroes/mercy",
    "/roles",
    f"/players/{PLAYER}",
    f"/players/{PLAYER}/summary",
    f"/players/{PLAYER}/stats/career?gamemode=quickplay",
    "/players?name=KIRIKO",
    "/heroes/stats?platform=pc&gamemode=competitive&region=europe",
]
NOT_CAPTURED = ["/heroes/genji", "/players/JohnV1-1190/summary"]


def cli(
    *args: str, upstream: str, cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "BLIZZARD_HOST": upstream,
        "VALKEY_URL": "",
        "THROTTLE_START_DELAY": "0",
        "THROTTLE_MIN_DELAY": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=cwd,  # not the repo: a developer's .env must not leak in
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def replay(capture_dir: Path, tmp_path: Path) -> Iterator[str]:
    """`owdata fake-upstream --fixtures <the capture>` in a subprocess; its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "app.cli", "fake-upstream", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--fixtures", str(capture_dir)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/__fake__/calls", timeout=1)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, "owdata fake-upstream exited"
                assert time.monotonic() < deadline, "owdata fake-upstream did not start"
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def capture_dir(upstream: FakeUpstreamServer, tmp_path: Path) -> Path:
    out = tmp_path / "capture"
    result = cli(
        "capture",
        "--out", str(out),
        "--heroes", "ana,mercy",
        "--player", PLAYER,
        "--search", "KIRIKO",
        "--rates", "pc:competitive:europe",
        upstream=upstream.url,
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "captured 9 routes" in result.stderr, result.stderr
    assert "[" + "#" * 30 + "] 8/8 done" in result.stderr, result.stderr
    return out


def test_the_manifest_keeps_statuses_types_and_the_redirect(capture_dir: Path) -> None:
    manifest = json.loads((capture_dir / "blizzard" / "manifest.json").read_text())
    routes = {route["path"]: route for route in manifest["routes"]}

    redirect = routes[f"/en-us/career/{PLAYER}/"]
    assert redirect["status"] == 302
    assert redirect["location"].startswith("/en-us/career/c65b8798")  # a path: stays offline
    career = routes[redirect["location"]]
    assert (career["status"], career["content_type"]) == (200, "text/html; charset=utf-8")
    assert (capture_dir / career["file"]).read_bytes().startswith(b"<!DOCTYPE html>")
    rates = routes["/en-us/rates/data/"]
    assert rates["query"] == "input=PC&rq=1&region=Europe&map=all-maps&tier=All"
    assert rates["content_type"] == "application/json"


async def test_the_app_answers_the_captured_routes_offline_as_it_did_online(
    settings: Settings, upstream: FakeUpstreamServer, replay: str, tmp_path: Path
) -> None:
    routes = CAPTURED_ROUTES + NOT_CAPTURED
    async with running(settings) as online_client:
        online = {route: await online_client.get(route) for route in routes}
    upstream.app.reset()
    offline_settings = settings.model_copy(
        update={"blizzard_host": replay, "storage_path": tmp_path / "offline.db"}
    )
    async with running(offline_settings) as offline_client:
        offline = {route: await offline_client.get(route) for route in routes}

    assert upstream.app.calls.total() == 0  # nothing reached the "real" site (no redirect)
    for route in CAPTURED_ROUTES:
        assert online[route].status_code == 200, route
        assert (offline[route].status_code, offline[route].json()) == (200, online[route].json())
    for route in NOT_CAPTURED:
        assert (online[route].status_code, offline[route].status_code != 200) == (200, True)


def test_fake_upstream_names_a_missing_folder_and_how_to_make_one(tmp_path: Path) -> None:
    result = cli(
        "fake-upstream", "--fixtures", str(tmp_path / "nowhere"), upstream="", cwd=tmp_path
    )

    assert result.returncode == 2
    assert f"{tmp_path / 'nowhere'} does not exist" in result.stderr
    assert "owdata capture --out DIR" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rates", "pc:ranked:europe"], "expected platform:gamemode:region"),
        (["--heroes", "ana,../x"], "not hero keys: ../x"),
        (["--player", "a/b"], "should be a BattleTag"),
    ],
)
def test_bad_arguments_are_refused_before_any_call(
    args: list[str], message: str, upstream: FakeUpstreamServer, tmp_path: Path
) -> None:
    result = cli(
        "capture", "--out", str(tmp_path / "c"), *args, upstream=upstream.url, cwd=tmp_path
    )

    assert (result.returncode, message in result.stderr) == (2, True), result.stderr
    assert upstream.app.calls.total() == 0


def test_a_folder_with_files_is_not_overwritten(
    upstream: FakeUpstreamServer, tmp_path: Path
) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "notes.txt").write_text("mine")

    result = cli("capture", "--out", str(tmp_path / "c"), upstream=upstream.url, cwd=tmp_path)

    assert (result.returncode, "is not an empty folder" in result.stderr) == (2, True)
    assert upstream.app.calls.total() == 0


async def test_pages_are_spaced_by_the_throttle_and_a_403_is_waited_out(
    upstream: FakeUpstreamServer, tmp_path: Path
) -> None:
    # After the 403 the delay doubles to 0.6 s (penalty_delay would otherwise make it 10 s).
    config = ThrottleConfig(start_delay=0.3, min_delay=0.3, penalty_delay=0.3, penalty_duration=0.2)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        upstream.app.reset()  # the upstream has had its rest: no more 403s
        await asyncio.sleep(0.2)

    recorder = RecordingUpstream.create(base_url=upstream.url)
    throttle = Throttle(MemoryThrottleStore(config), config)
    throttled = ThrottledUpstream(recorder, throttle)
    upstream.app.status_override = 403
    started = time.monotonic()
    try:
        status = await capture(
            CapturePlan(heroes=[]), recorder, throttled, tmp_path / "c", sleep=sleep
        )
    finally:
        await throttled.close()

    assert status == 0
    assert slept == [1]  # Retry-After of the 403's penalty, whole seconds
    # The 403, then the home page and the heroes list, each the (doubled) delay apart.
    assert time.monotonic() - started >= 2 * 0.6
    manifest = json.loads((tmp_path / "c" / "blizzard" / "manifest.json").read_text())
    assert [route["status"] for route in manifest["routes"]] == [200, 200]  # no 403 kept


async def test_a_page_missing_from_the_capture_is_an_upstream_error_not_a_parse_error(
    settings: Settings, replay: str, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=replay) as fake:
        missing = await fake.get("/en-us/heroes/genji/")
    offline_settings = settings.model_copy(
        update={"blizzard_host": replay, "storage_path": tmp_path / "offline.db"}
    )
    async with running(offline_settings) as offline:
        hero = await offline.get("/heroes/genji")
        player = await offline.get("/players/JohnV1-1190/summary")
        player_again = await offline.get("/players/JohnV1-1190/summary")
        metrics = (await offline.get("/metrics")).text

    assert missing.status_code == 501
    assert "not captured: /en-us/heroes/genji/" in missing.text
    # 504 "Couldn't get Blizzard page (HTTP 501)", not 502 (a page that no longer parses)...
    assert (hero.status_code, hero.json()["error"]) == (
        504,
        "Couldn't get Blizzard page (HTTP 501): Blizzard answered HTTP 501",
    )
    # ...and not 404 (a player Blizzard does not know, remembered as such).
    assert player.status_code == player_again.status_code == 504
    whole_page_failures = [
        line
        for line in metrics.splitlines()
        if line.startswith("owdata_parse_errors_total{") and 'reason="page"' in line
    ]
    assert whole_page_failures  # exported from the start...
    assert all(line.endswith(" 0.0") for line in whole_page_failures)  # ...and none counted
