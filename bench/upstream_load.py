"""Upstream load: how many Blizzard calls 1,000 player requests cause, and stale-hit latency.

    uv run python -m bench.upstream_load [--requests 1000] [--players 50] [--concurrency 20]
        [--stale-requests N] [--seed 1] [--skip-fault]

The fake upstream serves a fixtures folder generated in a temporary directory (never in
the repository): `--players` BattleTags `Bench<i>-<1000+i>`, each with its own search
answer (one public entry), a career URL that 302-redirects to a distinct fake Blizzard ID,
and that ID serving one of the three captured career pages (symlinked from the shared
fixtures, whose routes follow the generated ones). Calls are read from `/__fake__/calls`.

A. Cold: a fresh `owdata serve` (new SQLite file, throttle spacing off:
   `THROTTLE_START_DELAY=0 THROTTLE_MIN_DELAY=0`, in-process cache and jobs, no Valkey)
   gets `--requests` requests spread evenly over the players and four player routes,
   shuffled, from `--concurrency` clients. Upstream calls are broken down by page type and
   player, against the naive figure (3 calls per request) and the ideal (3 per player).
   The same requests are then sent again (all response-cache hits, no upstream call): the
   latency floor of this client and machine for the same mix of bodies.
B. Stale: the server is restarted on the same SQLite file with
   `PLAYER_STALENESS_THRESHOLD=1 CAREER_PATH_CACHE_TIMEOUT=1`; once every profile is older
   than 1 s, `--stale-requests` requests (same mix) are sent and the latency of the answers
   marked `X-Cache-Status: stale` is measured while refresh jobs run in the background;
   once the queue has drained, the upstream calls the refreshes caused are counted, and
   the players answered stale whose profile is still not refreshed. Rounds: just after the
   restart, again once profiles are stale again (warm process), with one client (service
   time without queueing), and with the fake upstream answering 500 to everything.

Latencies are measured by the Python client (httpx), so they include its own overhead;
they are figures for comparing rounds, not a throughput benchmark. Progress goes to
stderr; the figures are printed together at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import math
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from app.config import Settings
from app.devtools.fixtures import fixtures_dir
from bench.cached_hit import owdata_server
from bench.harness import free_port, process, progress

ROUTES = (
    "/players/{id}/summary",
    "/players/{id}",
    "/players/{id}/stats/summary",
    "/players/{id}/stats/career?gamemode=quickplay",
)
CALLS_PER_COLD_LOOKUP = 3  # search, career redirect, career page
PAGE_TYPES = ("search", "career redirect", "career page", "other")
STALENESS = 1  # seconds, scenario B
SETTLE_TIMEOUT = 60.0


def _default(name: str) -> str:
    return str(Settings.model_fields[name].default)


# Pinned explicitly, so variables exported in the shell cannot skew the figures.
BASE_ENV = {
    "THROTTLE_ENABLED": "true",
    "THROTTLE_START_DELAY": "0",
    "THROTTLE_MIN_DELAY": "0",
    "VALKEY_URL": "",
    "JOBS_IN_PROCESS": "true",
    "WORKER_POLL_INTERVAL": _default("worker_poll_interval"),
    "PLAYER_STALENESS_THRESHOLD": _default("player_staleness_threshold"),
    "CAREER_PATH_CACHE_TIMEOUT": _default("career_path_cache_timeout"),
    # Only errors: the harness discards the server's stderr.
    "LOG_LEVEL": "error",
}
SETTLE_QUIET = 2 * float(BASE_ENV["WORKER_POLL_INTERVAL"]) + 0.5
"""Seconds without an upstream call (and no job due) after which the queue has drained."""
STALE_ENV = {
    **BASE_ENV,
    "PLAYER_STALENESS_THRESHOLD": str(STALENESS),
    "CAREER_PATH_CACHE_TIMEOUT": str(STALENESS),
}


# --- the generated fixtures --------------------------------------------------------------


@dataclass(frozen=True)
class Player:
    battletag: str
    name: str
    blizzard_id: str  # `<hex>%7C<hex>`, as Blizzard's search spells it
    page: str  # the captured career page it serves


def _blizzard_id(i: int) -> str:
    digest = hashlib.sha256(f"owdata-bench-player-{i}".encode()).hexdigest()
    return f"{digest[:22]}%7C{digest[22:54]}"


def _career_pages(manifest: dict[str, Any]) -> list[str]:
    """Files of the captured career pages (200 answers under `/en-us/career/`)."""
    return [
        route["file"]
        for route in manifest["routes"]
        if route["path"].startswith("/en-us/career/") and route["status"] == 200
    ]


def _search_template(shared: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """A public entry of the captured search sample, to copy avatar/namecard/title from."""
    route = next(r for r in manifest["routes"] if r["path"] == "/en-us/search/account-by-name/*/")
    sample: list[dict[str, Any]] = json.loads((shared / route["file"]).read_text("utf-8"))
    return next(e for e in sample if e.get("isPublic") and isinstance(e.get("title"), dict))


def build_fixtures(root: Path, count: int) -> list[Player]:
    """Write `<root>/blizzard/manifest.json` for `count` generated players.

    `<root>/blizzard/en-us` is a symlink to the shared captured pages, so the original
    routes (kept after the generated ones) and the career pages resolve unchanged.
    """
    shared = fixtures_dir()
    manifest = json.loads((shared / "blizzard" / "manifest.json").read_text("utf-8"))
    pages = _career_pages(manifest)
    template = _search_template(shared, manifest)
    (root / "blizzard").mkdir(parents=True)
    (root / "blizzard" / "en-us").symlink_to(shared / "blizzard" / "en-us", True)
    search_dir = root / "blizzard" / "bench" / "search"
    search_dir.mkdir(parents=True)
    players, routes = [], []
    for i in range(count):
        name = f"Bench{i}"
        player = Player(f"{name}-{1000 + i}", name, _blizzard_id(i), pages[i % len(pages)])
        players.append(player)
        entry = {
            "name": name,
            "isPublic": True,
            "lastUpdated": 1_700_000_000 + i,
            "namecard": template["namecard"],
            "avatar": template["avatar"],
            "title": template["title"],
            "url": player.blizzard_id,
        }
        (search_dir / f"{name}.json").write_text(json.dumps([entry]), "utf-8")
        json_type = "application/json"
        html_type = "text/html; charset=utf-8"
        career = f"/en-us/career/{player.blizzard_id}/"
        routes += [
            {
                "path": f"/en-us/search/account-by-name/{name}/",
                "status": 200,
                "content_type": json_type,
                "file": f"blizzard/bench/search/{name}.json",
            },
            {
                "path": f"/en-us/career/{player.battletag}/",
                "status": 302,
                "content_type": html_type,
                "file": None,
                "location": career,
            },
            {"path": career, "status": 200, "content_type": html_type, "file": player.page},
        ]
    generated = {"host": manifest["host"], "routes": routes + manifest["routes"]}
    (root / "blizzard" / "manifest.json").write_text(json.dumps(generated, indent=1), "utf-8")
    return players


@contextmanager
def fake_upstream(root: Path) -> Iterator[str]:
    """`owdata fake-upstream` on the generated fixtures; yields its base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "app.cli", "fake-upstream", "--port", str(port)]
    cmd += ["--fixtures", str(root)]
    with process(cmd, ready_url=f"http://127.0.0.1:{port}/__fake__/calls"):
        yield f"http://127.0.0.1:{port}"


# --- the fake upstream's counters --------------------------------------------------------


@dataclass
class Calls:
    by_type: Counter[str] = field(default_factory=Counter)
    by_player: Counter[str] = field(default_factory=Counter)
    other_paths: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


def _classify(path: str, players: list[Player]) -> tuple[str, str | None]:
    """(page type, battletag of the player it concerns or None) of one upstream path."""
    parts = path.split("?", 1)[0].split("/")
    by_name = {p.name: p.battletag for p in players}
    if path.startswith("/en-us/search/account-by-name/") and len(parts) > 4:
        return "search", by_name.get(parts[4])
    if path.startswith("/en-us/career/") and len(parts) > 3:
        segment = parts[3]
        if "%7c" in segment.lower() or "|" in segment:
            wanted = segment.replace("|", "%7C").replace("%7c", "%7C")
            by_id = {p.blizzard_id: p.battletag for p in players}
            return "career page", by_id.get(wanted)
        known = {p.battletag for p in players}
        return "career redirect", segment if segment in known else None
    return "other", None


def read_calls(upstream: str, players: list[Player]) -> Calls:
    paths: dict[str, int] = httpx.get(f"{upstream}/__fake__/calls").json()["paths"]
    calls = Calls()
    for path, count in paths.items():
        page_type, battletag = _classify(path, players)
        calls.by_type[page_type] += count
        if battletag is not None:
            calls.by_player[battletag] += count
        if page_type == "other":
            calls.other_paths[path] += count
    return calls


def control(upstream: str, action: str) -> None:
    httpx.post(f"{upstream}/__fake__/{action}").raise_for_status()


# --- the load ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    battletag: str
    route: str  # the path after the player id, without the query: "", "summary", ...
    status: int
    cache: str  # X-Cache-Status, or "-" when absent (errors)
    ms: float


def request_paths(players: list[Player], count: int, seed: int) -> list[str]:
    """`count` paths spread evenly over players and routes, in a seeded random order."""
    paths = [
        ROUTES[(i // len(players)) % len(ROUTES)].format(id=players[i % len(players)].battletag)
        for i in range(count)
    ]
    random.Random(seed).shuffle(paths)
    return paths


async def _load(base_url: str, paths: list[str], concurrency: int) -> list[Answer]:
    answers: list[Answer] = []
    pending = iter(paths)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as client:

        async def worker() -> None:
            for path in pending:  # one shared iterator: each path is sent once
                start = time.perf_counter()
                response = await client.get(path)
                ms = (time.perf_counter() - start) * 1000
                cache = response.headers.get("x-cache-status", "-")
                _, _, battletag, *rest = path.split("?", 1)[0].split("/")
                route = "/".join(rest)
                answers.append(Answer(battletag, route, response.status_code, cache, ms))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return answers


def load(base_url: str, paths: list[str], concurrency: int) -> tuple[list[Answer], float]:
    start = time.perf_counter()
    answers = asyncio.run(_load(base_url, paths, concurrency))
    return answers, time.perf_counter() - start


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (NaN for no values)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Round:
    label: str
    concurrency: int
    answers: list[Answer]
    seconds: float
    calls: Calls
    jobs: str = "-"
    not_refreshed: str = "-"

    def latencies(self, cache: str | None = None, route: str | None = None) -> list[float]:
        return [
            a.ms
            for a in self.answers
            if (cache is None or a.cache == cache) and (route is None or a.route == route)
        ]


# --- the SQLite file, read-only (to see the refresh queue's outcome) -----------------------


def _read(db: Path, query: str, params: tuple[Any, ...] = ()) -> list[Any] | None:
    """Rows of `query` on the server's SQLite file, or None when it cannot be read."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as c:
            return c.execute(query, params).fetchall()
    except sqlite3.Error:
        return None


def job_states(db: Path) -> str:
    rows = _read(db, "SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state ORDER BY 1, 2")
    if rows is None:
        return "?"
    return " ".join(f"{state}:{n}" for _, state, n in rows) or "none"


def _busy_jobs(db: Path) -> int | None:
    """Jobs running or due now, or None when the queue cannot be read."""
    query = (
        "SELECT COUNT(*) FROM jobs WHERE state = 'running' OR (state = 'queued' AND run_at <= ?)"
    )
    rows = _read(db, query, (time.time(),))
    return None if rows is None else int(rows[0][0])


def not_refreshed(db: Path, answers: list[Answer], since: float) -> str:
    """How many players answered stale in the round still have a profile fetched before it."""
    stale = {a.battletag for a in answers if a.cache == "stale"}
    rows = _read(db, "SELECT battletag, fetched_at FROM player_profiles")
    if rows is None:
        return "?"
    old = {battletag for battletag, fetched_at in rows if fetched_at < since}
    return f"{len(stale & old)}/{len(stale)}"


def settle(upstream: str, db: Path, quiet: float) -> None:
    """Wait until no refresh job is running or due and the upstream saw no call for `quiet` s
    (jobs whose retry is later, e.g. after a 500, are left queued)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    last_total, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        total = int(httpx.get(f"{upstream}/__fake__/calls").json()["total"])
        if total != last_total:
            last_total, last_change = total, time.monotonic()
        if _busy_jobs(db) in (0, None) and time.monotonic() - last_change >= quiet:
            return
        time.sleep(0.1)
    progress(f"refresh jobs still busy after {SETTLE_TIMEOUT:g} s; counting what was seen")


# --- the scenarios -------------------------------------------------------------------------


def cold_rounds(
    upstream: str, db: Path, players: list[Player], paths: list[str], concurrency: int
) -> list[Round]:
    rounds = []
    control(upstream, "reset")
    with owdata_server(upstream, db, BASE_ENV) as base_url:
        for label in ("A cold", "A hits"):
            progress(f"{label}: {len(paths)} requests, {concurrency} clients")
            answers, seconds = load(base_url, paths, concurrency)
            rounds.append(
                Round(label, concurrency, answers, seconds, read_calls(upstream, players))
            )
            control(upstream, "reset")
    return rounds


@dataclass(frozen=True)
class StaleRound:
    label: str
    concurrency: int
    fault: bool = False


def stale_round(
    spec: StaleRound,
    base_url: str,
    upstream: str,
    db: Path,
    players: list[Player],
    paths: list[str],
) -> Round:
    time.sleep(STALENESS + 0.3)  # every profile and cached answer is now older than 1 s
    control(upstream, "reset")
    if spec.fault:
        control(upstream, "fault?status=500")
    progress(f"{spec.label}: {len(paths)} requests, {spec.concurrency} client(s)")
    since = time.time()
    answers, seconds = load(base_url, paths, spec.concurrency)
    progress(f"{spec.label}: waiting for the refresh jobs to drain")
    settle(upstream, db, SETTLE_QUIET)
    calls = read_calls(upstream, players)
    left = not_refreshed(db, answers, since)
    jobs = job_states(db)
    if spec.fault:
        control(upstream, "reset")
    return Round(spec.label, spec.concurrency, answers, seconds, calls, jobs, left)


def run(
    requests: int,
    player_count: int,
    concurrency: int,
    stale_requests: int,
    seed: int,
    skip_fault: bool,
) -> None:
    with tempfile.TemporaryDirectory(prefix="owdata-upstream-load-") as tmp:
        root, db = Path(tmp) / "fixtures", Path(tmp) / "bench.db"
        players = build_fixtures(root, player_count)
        progress(f"generated fixtures for {len(players)} players in {root}")
        cold_paths = request_paths(players, requests, seed)
        stale_paths = request_paths(players, stale_requests, seed + 1)
        specs = [
            StaleRound("B stale 1st", concurrency),
            StaleRound("B stale 2nd", concurrency),
            StaleRound("B stale c=1", 1),
        ]
        if not skip_fault:
            specs.append(StaleRound("B stale 500", concurrency, fault=True))
        with fake_upstream(root) as upstream:
            rounds = cold_rounds(upstream, db, players, cold_paths, concurrency)
            progress(f"B: restarting owdata on the same SQLite file, staleness {STALENESS} s")
            with owdata_server(upstream, db, STALE_ENV) as base_url:
                for spec in specs:
                    rounds.append(stale_round(spec, base_url, upstream, db, players, stale_paths))
    report(rounds, players)


# --- the report ----------------------------------------------------------------------------

LEGEND = """\
A cold       fresh `owdata serve`, fresh SQLite file: every profile fetched from the upstream
A hits       the same requests again on the same server (response-cache hits): the floor of
             this Python client, the transport and the machine for this mix of bodies
B stale 1st  restarted on the same file with staleness 1 s, profiles > 1 s old (cold process)
B stale 2nd  the same once the refreshes of 1st drained and profiles are stale again
B stale c=1  the same with one client: the service time of a stale answer, without queueing
B stale 500  the same with every upstream call answering 500 (refreshes fail, retried later)"""


def _row(name: str, cells: list[str], width: int = 14) -> str:
    return f"{name:<30}" + "".join(f"{c:>{width}}" for c in cells)


def _counts(values: list[Any]) -> str:
    return " ".join(f"{k}:{n}" for k, n in sorted(Counter(values).items()))


def report(rounds: list[Round], players: list[Player]) -> None:
    n = len(players)
    print(
        f"\n{n} players (BattleTags Bench<i>-<1000+i>, each its own Blizzard ID), one "
        "`owdata serve` process; throttle spacing off (THROTTLE_START_DELAY=0 "
        "THROTTLE_MIN_DELAY=0), in-process cache and refresh jobs "
        f"(WORKER_POLL_INTERVAL={BASE_ENV['WORKER_POLL_INTERVAL']}); B rounds: "
        f"PLAYER_STALENESS_THRESHOLD={STALENESS} CAREER_PATH_CACHE_TIMEOUT={STALENESS}"
    )
    print(LEGEND)
    print("\nupstream calls (the fake Blizzard's /__fake__/calls)")
    print(_row("", [r.label for r in rounds]))
    print(_row("requests (clients)", [f"{len(r.answers)} ({r.concurrency})" for r in rounds]))
    for page_type in PAGE_TYPES:
        print(_row(f"  {page_type}", [str(r.calls.by_type[page_type]) for r in rounds]))
    print(_row("  total", [str(r.calls.total) for r in rounds]))
    print(_row("per distinct player", [f"{r.calls.total / n:.2f}" for r in rounds]))
    spread = []
    for r in rounds:
        counts = [r.calls.by_player[p.battletag] for p in players]
        spread.append(f"{min(counts)}..{max(counts)}")
    print(_row("  min..max over players", spread))
    naive = [str(len(r.answers) * CALLS_PER_COLD_LOOKUP) for r in rounds]
    print(_row(f"naive (requests x {CALLS_PER_COLD_LOOKUP})", naive))
    print(
        _row(f"ideal ({CALLS_PER_COLD_LOOKUP} per player, cold)", [str(CALLS_PER_COLD_LOOKUP * n)])
    )
    print(_row("refresh jobs after drain", [r.jobs for r in rounds]))
    print(_row("stale players not refreshed", [r.not_refreshed for r in rounds]))

    print("\nanswers and latency seen by the client (ms)")
    print(_row("", [r.label for r in rounds]))
    print(_row("wall time (s)", [f"{r.seconds:.2f}" for r in rounds]))
    print(_row("HTTP status", [_counts([a.status for a in r.answers]) for r in rounds]))
    for status in ("hit", "miss", "stale"):
        seen = [str(sum(a.cache == status for a in r.answers)) for r in rounds]
        print(_row(f"X-Cache-Status {status}", seen))
    for name, only in (("all", None), ("hit", "hit"), ("stale", "stale")):
        for p in (50, 99):
            cells = [f"{percentile(r.latencies(only), p):.1f}" for r in rounds]
            print(_row(f"{name} answers p{p}", cells))
    for route in ROUTES:
        short = route.removeprefix("/players/{id}").split("?", 1)[0].lstrip("/")
        cells = []
        for r in rounds:
            values = r.latencies("stale", short)
            cells.append(f"{percentile(values, 50):.1f}/{percentile(values, 99):.0f}")
        print(_row(f"  stale p50/p99 {short or '(full)'}", cells))
    for r in rounds:
        if r.calls.other_paths:
            print(f"other upstream paths in {r.label}: {dict(r.calls.other_paths)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--players", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument(
        "--stale-requests", type=int, default=None, help="per B round (default: --requests)"
    )
    parser.add_argument("--seed", type=int, default=1, help="order of the requests")
    parser.add_argument("--skip-fault", action="store_true", help="no round with upstream 500s")
    args = parser.parse_args()
    if min(args.requests, args.players, args.concurrency) < 1:
        parser.error("--requests, --players and --concurrency must be positive")
    stale = args.stale_requests if args.stale_requests is not None else args.requests
    run(args.requests, args.players, args.concurrency, stale, args.seed, args.skip_fault)


if __name__ == "__main__":
    main()
