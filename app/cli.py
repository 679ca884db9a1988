"""The `owdata` command: `serve`, `worker`, `capture`, `storage copy`, `fake-upstream`.

owdata serve --host 127.0.0.1 --port 8080 [--workers N]
owdata capture --out DIR [--heroes all] [--player TeKrop-2217] [--rates pc:competitive:europe]
owdata storage copy --from data/owdata.db --to postgresql://user:password@host/db
owdata fake-upstream --port 8081 [--fixtures DIR] [--overlay routes.json]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from app.config import Settings, SettingsError, load_settings
from app.devtools.capture_cli import add_parser as add_capture_parser
from app.devtools.fixtures import FIXTURES_ENV_VAR, fixtures_dir
from app.metrics import multiprocess_mode


def _settings() -> Settings:
    """Settings from the environment, with logging set up; exits 2 on invalid settings."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"owdata: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return settings


def _check_storage(settings: Settings) -> None:
    """Open and migrate storage once before serving; exits 2 with one line if it cannot.

    Without this, a bad `DATABASE_URL` would surface as a traceback from each server
    process's start-up instead of one message naming the setting.
    """
    from app.bootstrap import StorageStartupError, open_storage

    async def check() -> None:
        storage = await open_storage(settings)
        await storage.close()

    try:
        asyncio.run(check())
    except StorageStartupError as exc:
        print(f"owdata: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _serve(args: argparse.Namespace) -> int:
    settings = _settings()
    from app.bootstrap import describe_storage

    _check_storage(settings)
    logging.getLogger(__name__).info(
        "serving on http://%s:%d (upstream %s, storage %s, cache %s)",
        args.host,
        args.port,
        settings.blizzard_host,
        describe_storage(settings),
        "valkey" if settings.valkey_url else "in-process",
    )
    if args.workers > 1:
        with multiprocess_mode(args.workers if settings.metrics_enabled else 1):
            uvicorn.run(
                "app.main:app_from_environment",
                factory=True,
                host=args.host,
                port=args.port,
                workers=args.workers,
                log_level=settings.log_level,
                access_log=settings.access_log,
            )
        return 0
    from app.main import create_app

    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level=settings.log_level,
        access_log=settings.access_log,
    )
    return 0


def _worker(args: argparse.Namespace) -> int:
    settings = _settings()
    from app.bootstrap import StorageStartupError
    from app.worker import WorkerStartError, run_worker

    try:
        return asyncio.run(run_worker(settings))
    except StorageStartupError as exc:
        print(f"owdata: {exc}", file=sys.stderr)
        return 2
    except WorkerStartError as exc:
        print(f"owdata worker: {exc}", file=sys.stderr)
        return 1


def _storage_copy(args: argparse.Namespace) -> int:
    settings = _settings()
    from app.bootstrap import StorageStartupError
    from app.storage_cli import run_copy

    try:
        return asyncio.run(run_copy(args.source, args.target, settings))
    except StorageStartupError as exc:
        print(f"owdata: {exc}", file=sys.stderr)
        return 2


def _capture(args: argparse.Namespace) -> int:
    settings = _settings()
    from app.bootstrap import build_throttle
    from app.devtools import capture_cli

    return capture_cli.run(
        args,
        base_url=settings.blizzard_host,
        timeout=settings.upstream_timeout,
        user_agent=settings.upstream_user_agent,
        throttle=lambda: build_throttle(settings),
    )


def _fake_upstream(args: argparse.Namespace) -> int:
    from app.devtools.fake_routes import read_overlay
    from app.devtools.fake_upstream import FakeUpstream

    root = Path(args.fixtures)
    if not (root / "blizzard" / "manifest.json").is_file():
        missing = "does not exist" if not root.exists() else "has no blizzard/manifest.json"
        print(
            f"owdata fake-upstream: {root} {missing}. Make a fixtures folder with "
            "`owdata capture --out DIR` and pass `--fixtures DIR` (the default, "
            "../shared/fixtures, exists only in owdata's development setup).",
            file=sys.stderr,
        )
        return 2
    overlay = read_overlay(Path(args.overlay)) if args.overlay else []
    print(f"fake upstream on http://{args.host}:{args.port} serving {root}", flush=True)
    uvicorn.run(FakeUpstream(root, overlay), host=args.host, port=args.port, lifespan="off")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="owdata", description="Overwatch 2 data API")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API (settings from env and .env)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.set_defaults(run=_serve)

    worker = commands.add_parser(
        "worker", help="run refresh jobs (beside `serve` with JOBS_IN_PROCESS=false, or as extra)"
    )
    worker.set_defaults(run=_worker)

    storage = commands.add_parser("storage", help="storage tools").add_subparsers(
        dest="storage_command", required=True
    )
    copy = storage.add_parser(
        "copy",
        help="copy profiles, pages, unknown players and pending jobs into another storage "
        "(idempotent; prints the counts copied and verified)",
    )
    copy.add_argument("--from", dest="source", required=True, help="SQLite file path or URL")
    copy.add_argument("--to", dest="target", required=True, help="postgresql:// URL (or path)")
    copy.set_defaults(run=_storage_copy)

    add_capture_parser(commands, run=_capture)

    fake = commands.add_parser(
        "fake-upstream", help="serve the captured Blizzard pages (for tests and offline runs)"
    )
    fake.add_argument("--host", default="127.0.0.1")
    fake.add_argument("--port", type=int, default=8081)
    fake.add_argument(
        "--fixtures",
        default=str(fixtures_dir()),
        help=f"fixtures folder, e.g. made by `owdata capture` "
        f"(default: ${FIXTURES_ENV_VAR} or ../shared/fixtures)",
    )
    fake.add_argument(
        "--overlay",
        help='JSON file of routes tried before the manifest\'s ({"routes": [...]}, same shape)',
    )
    fake.set_defaults(run=_fake_upstream)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
