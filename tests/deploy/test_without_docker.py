"""The README's "Without Docker" steps, run as written: `owdata serve`, then nginx through
`nginx/entrypoint.sh` with only NGINX_LISTEN and NGINX_UPSTREAM set.

Only the ports and the prefix are changed (so tests can run side by side), and `uv run owdata`
is this interpreter's `-m app.cli` (the same command without uv syncing the environment).
Nothing else is set for nginx: in particular not NGINX_WORKER_USER, whose default must work
on Debian (no `nginx` user there) as in the nginx image.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.devtools.fake_upstream import FakeUpstreamServer
from tests.deploy.conftest import (
    REPO,
    TOOL_PATH,
    NginxRequirements,
    _stop,
    _wait_for,
    free_port,
    nginx_prefix,
)

README = REPO / "README.md"


def readme_steps() -> str:
    """The first `sh` block of the README's "Without Docker" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Without Docker", 1)[1]
    found = re.search(r"```sh\n(.*?)```", section, re.S)
    assert found, "the README's Without Docker section has no sh block"
    return found.group(1)


def adapted(steps: str, *, app_port: int, nginx_port: int, prefix: Path) -> str:
    """The steps with our ports, prefix and interpreter; each value must be there to change."""
    replacements = {
        "uv run owdata": f"'{sys.executable}' -m app.cli",
        "8081": str(app_port),
        "8080": str(nginx_port),
        "/tmp/owdata-nginx": str(prefix),
    }
    for old, new in replacements.items():
        assert old in steps, f"the README steps no longer mention {old!r}"
        steps = steps.replace(old, new)
    return steps


def default_worker_user() -> str:
    for name in ("nginx", "www-data", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    pytest.skip("none of nginx, www-data, nobody exists on this machine")


@pytest.fixture
def steps_prefix() -> Iterator[Path]:
    folder = nginx_prefix()
    yield folder / "nginx"
    shutil.rmtree(folder, ignore_errors=True)


def test_the_readme_steps_run_nginx_in_front_of_the_app(
    nginx_tools: NginxRequirements,
    fake_upstream: FakeUpstreamServer,
    steps_prefix: Path,
    tmp_path: Path,
) -> None:
    app_port, nginx_port = free_port(), free_port()
    script = adapted(readme_steps(), app_port=app_port, nginx_port=nginx_port, prefix=steps_prefix)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NGINX_")},
        "PATH": TOOL_PATH,
        "BLIZZARD_HOST": fake_upstream.url,
        "STORAGE_PATH": str(tmp_path / "owdata.db"),
        "VALKEY_URL": "",
        "THROTTLE_START_DELAY": "0",
        "THROTTLE_MIN_DELAY": "0",
    }
    log = tmp_path / "steps.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["sh", "-c", script],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{nginx_port}"
        _wait_for(f"{url}/nginx-health", proc, log)
        _wait_for(f"http://127.0.0.1:{app_port}/openapi.json", proc, log)
        answer = httpx.get(f"{url}/heroes", timeout=30)

        assert answer.status_code == 200, log.read_text()
        assert "ana" in {hero["key"] for hero in answer.json()}
        rendered = (steps_prefix / "nginx.conf").read_text()
        if os.geteuid() == 0:
            user = default_worker_user()
            assert re.search(rf"^user {re.escape(user)} \S+;$", rendered, re.M), rendered[:300]
        else:
            assert not re.search(r"^user ", rendered, re.M)
    finally:
        _stop(proc)


def test_a_worker_user_that_does_not_exist_is_named_in_the_error(
    nginx_tools: NginxRequirements, steps_prefix: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("the worker user only matters when nginx starts as root")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NGINX_")},
        "PATH": TOOL_PATH,
        "NGINX_WORKER_USER": "no-such-user",
    }
    result = subprocess.run(
        ["sh", "nginx/entrypoint.sh", "--prefix", str(steps_prefix), "render"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    assert "NGINX_WORKER_USER: no user 'no-such-user'" in result.stderr
