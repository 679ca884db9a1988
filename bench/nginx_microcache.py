"""nginx micro-cache hit vs nginx serving the same bytes as a static file, in one run.

    uv run python -m bench.nginx_microcache [--path /heroes/ana] [--seconds 5] [--rounds 5]

Starts the fake upstream and `owdata serve`, renders the repo's nginx configuration with
`nginx/entrypoint.sh` (limits raised out of the way of one load generator, one worker),
adds one location serving the body the app answered as a static file to that same server
block, and runs that nginx. Both URLs are then loaded in turn with wrk: same binary, same
process and worker, same connection settings, same headers added by the server block. The
only difference is where the bytes come from: the proxy cache or a plain file.

The static file is served the way nginx serves static files (`sendfile on; tcp_nopush on`,
its standard setup); the goal is measured against it (>= 0.8). Two more static URLs tell
costs apart: the same file behind the API's per-client limits (`limit_req`, `limit_conn`),
the cost of admission; and the same file read and written like the API's answers
(`sendfile off`, the configuration's setting), which leaves only the cache's own work:
nginx reads a cached entry twice (headers, then body), a static file once. Prints requests
per second (median of interleaved rounds), latency, the nginx worker's CPU time per request
(steadier than throughput on a shared machine), and the ratio of the cached figures to each
static one.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.devtools.fixtures import fixtures_dir
from bench.harness import (
    REPO_ROOT,
    LoadResult,
    alternating,
    cpu_seconds,
    free_port,
    process,
    progress,
    spread,
    wrk,
)

ENTRYPOINT = REPO_ROOT / "nginx" / "entrypoint.sh"
STATIC_PATH = "/__bench__/static.json"
LIMITED_STATIC_PATH = "/__bench__/static-limited.json"
READ_STATIC_PATH = "/__bench__/static-read.json"
SENDFILE = "            sendfile on;\n            tcp_nopush on;\n"
TOOL_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
CACHED, STATIC = "nginx micro-cache", "nginx static file"
LIMITED_STATIC, READ_STATIC = "static file + limits", "static, no sendfile"


@dataclass(frozen=True)
class Round:
    load: LoadResult
    cpu_us_per_request: float


@contextmanager
def owdata(workdir: Path) -> Iterator[str]:
    """The fake upstream and `owdata serve`; yields the app's base URL."""
    upstream_port, app_port = free_port(), free_port()
    env = {
        "BLIZZARD_HOST": f"http://127.0.0.1:{upstream_port}",
        "STORAGE_PATH": str(workdir / "bench.db"),
        "LOG_LEVEL": "warning",
        "ACCESS_LOG": "false",
    }
    fake = [sys.executable, "-m", "app.cli", "fake-upstream", "--port", str(upstream_port)]
    fake += ["--fixtures", str(fixtures_dir())]
    serve = [sys.executable, "-m", "app.cli", "serve", "--port", str(app_port)]
    progress("starting the fake upstream and owdata")
    with (
        process(fake, ready_url=f"http://127.0.0.1:{upstream_port}/__fake__/calls"),
        process(serve, env=env, ready_url=f"http://127.0.0.1:{app_port}/openapi.json"),
    ):
        yield f"http://127.0.0.1:{app_port}"


def nginx_settings(listen: int, upstream: str) -> dict[str, str]:
    settings = {
        "PATH": TOOL_PATH,
        "NGINX_LISTEN": f"127.0.0.1:{listen}",
        "NGINX_UPSTREAM": upstream.removeprefix("http://"),
        "NGINX_WORKER_PROCESSES": "1",
        # Out of the way: the load generator is one client hammering from one address.
        "NGINX_RATE_LIMIT": "1000000",
        "NGINX_RATE_LIMIT_BURST": "1000000",
        "NGINX_MAX_CONNECTIONS_PER_IP": "65535",
        "NGINX_ACCESS_LOG": "off",
        "NGINX_ERROR_LOG_LEVEL": "error",
    }
    if os.geteuid() == 0:
        settings["NGINX_WORKER_USER"] = "nobody"
    return settings


def render(prefix: Path, settings: dict[str, str], body: Path) -> Path:
    """Render the repo's configuration, then add the static locations beside the others:
    one bare, one behind the API's per-client limits (copied from the rendered file), one
    without sendfile like the API's answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NGINX_")} | settings
    args = ["sh", str(ENTRYPOINT), "--prefix", str(prefix), "render"]
    rendered = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if rendered.returncode != 0:
        sys.exit(f"nginx/entrypoint.sh could not render the configuration:\n{rendered.stderr}")
    conf = prefix / "nginx.conf"
    text = conf.read_text()
    anchor = "        location = /metrics {"
    limits = re.findall(r"^ +limit_(?:req zone|conn owdata_connections)[^\n]*\n", text, re.M)
    if anchor not in text or len(limits) != 2:
        sys.exit("the rendered configuration lacks the /metrics location or the limits")
    static = "".join(
        f"        location = {path} {{\n{extra}            alias {body};\n        }}\n"
        for path, extra in (
            (STATIC_PATH, SENDFILE),
            (LIMITED_STATIC_PATH, SENDFILE + "".join(limits)),
            (READ_STATIC_PATH, ""),
        )
    )
    conf.write_text(text.replace(anchor, static + anchor, 1))
    return conf


@contextmanager
def nginx_in_front(nginx: str, app_url: str, body: bytes) -> Iterator[tuple[str, int]]:
    """nginx with the repo's configuration plus the static file; yields (base URL, pid)."""
    prefix = Path(tempfile.mkdtemp(prefix="owdata-bench-nginx-"))
    prefix.chmod(0o755)  # the workers run as `nobody` when this runs as root
    try:
        static = prefix / "static.json"
        static.write_bytes(body)
        static.chmod(0o644)
        port = free_port()
        conf = render(prefix, nginx_settings(port, app_url), static)
        command = [nginx, "-p", f"{prefix}/", "-e", "stderr", "-c", str(conf)]
        tested = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, check=False)
        if tested.returncode != 0:
            sys.exit(f"nginx -t rejected the benchmark configuration:\n{tested.stderr}")
        base = f"http://127.0.0.1:{port}"
        with process([*command, "-g", "daemon off;"], ready_url=f"{base}/nginx-health") as proc:
            yield base, proc.pid
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def check(base: str, path: str, expected: bytes) -> None:
    """Both URLs answer the same bytes, and the cached one really comes from the cache."""
    for _ in range(2):
        cached = httpx.get(base + path)
    paths = (STATIC_PATH, LIMITED_STATIC_PATH, READ_STATIC_PATH)
    statics = [httpx.get(base + url).content for url in paths]
    if cached.headers.get("x-proxy-cache") != "HIT":
        sys.exit(f"{path} is not served from nginx's cache: {dict(cached.headers)}")
    if cached.content != expected or statics != [expected] * len(paths):
        sys.exit("nginx does not answer the app's bytes on both URLs")


def measure(
    urls: dict[str, str], nginx_pid: int, seconds: int, rounds: int
) -> dict[str, list[Round]]:
    results: dict[str, list[Round]] = {name: [] for name in urls}
    progress("warming up")
    for url in urls.values():
        wrk(url, seconds=1)
    for i in range(rounds):  # interleaved, order alternating: drift hits all alike
        for name, url in alternating(list(urls.items()), i):
            progress(f"{name}: round {i + 1}/{rounds} ({seconds} s)")
            before = cpu_seconds(nginx_pid)
            load = wrk(url, seconds=seconds)
            used = cpu_seconds(nginx_pid) - before
            per_request = used / (load.requests_per_second * seconds) * 1e6
            results[name].append(Round(load, per_request))
    return results


def run(path: str, seconds: int, rounds: int) -> None:
    nginx = shutil.which("nginx", path=TOOL_PATH)
    if nginx is None:
        sys.exit("nginx is required for this benchmark: apt-get install nginx-light")
    with tempfile.TemporaryDirectory() as tmp, owdata(Path(tmp)) as app_url:
        answer = httpx.get(app_url + path, timeout=30)
        answer.raise_for_status()
        with nginx_in_front(nginx, app_url, answer.content) as (base, pid):
            check(base, path, answer.content)
            urls = {
                STATIC: base + STATIC_PATH,
                LIMITED_STATIC: base + LIMITED_STATIC_PATH,
                READ_STATIC: base + READ_STATIC_PATH,
                CACHED: base + path,
            }
            results = measure(urls, pid, seconds, rounds)
    report(path, len(answer.content), results)


def report(path: str, size: int, results: dict[str, list[Round]]) -> None:
    def median(name: str, value: str) -> float:
        rounds = results[name]
        if value == "cpu":
            return statistics.median(r.cpu_us_per_request for r in rounds)
        return statistics.median(float(getattr(r.load, value)) for r in rounds)

    print(f"\nGET {path} ({size} bytes) through nginx, median of {len(results[CACHED])} rounds")
    print(f"{'server':<22}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'worker CPU us/req':>19}")
    for name in (STATIC, LIMITED_STATIC, READ_STATIC, CACHED):
        rps, p50, p99 = (median(name, v) for v in ("requests_per_second", "p50_ms", "p99_ms"))
        print(f"{name:<22}{rps:>10.0f}{p50:>9.2f}{p99:>9.2f}{median(name, 'cpu'):>19.1f}")
        each = [r.load.requests_per_second for r in results[name]]
        print(f"{'':<22}{'req/s ' + spread(each):>28}")
    for baseline in (STATIC, LIMITED_STATIC, READ_STATIC):
        ratio = median(CACHED, "requests_per_second") / median(baseline, "requests_per_second")
        cpu_ratio = median(baseline, "cpu") / median(CACHED, "cpu")
        goal = (
            f" (goal >= 0.80: {'met' if ratio >= 0.8 else 'NOT met'})" if baseline == STATIC else ""
        )
        print(
            f"micro-cache / {baseline}: {ratio:.2f} by req/s{goal}, "
            f"{cpu_ratio:.2f} by worker CPU per request"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", default="/heroes/ana")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    run(args.path, args.seconds, args.rounds)


if __name__ == "__main__":
    main()
