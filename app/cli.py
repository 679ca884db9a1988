"""The `owdata` command: `serve`, `worker`, `capture`, `storage copy`, `fake-upstream`.

owdata serve --host 127.0.0.1 --port 8080 [--workers N]
owdata worker
owdata capture --out DIR [--heroes all] [--player TeKrop-2217] [--rates pc:competitive:europe]
owdata storage copy --from data/owdata.db --to postgresql://user:password@host/db
owdata fake-upstream --port 8081 [--fixtures DIR] [--overlay routes.json]

Arguments are checked before anything starts: a bad one is a single line on stderr and
exit status 2, as are invalid settings.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import re
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import uvicorn

from app.config import Settings, SettingsError, load_settings
from app.devtools.capture_cli import add_parser as add_capture_parser
from app.devtools.fixtures import FIXTURES_ENV_VAR, fixtures_dir
from app.logs import configure_logging

_HOSTNAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?")


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (`owdata serve: argument --port: …`), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def port_number(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (1-65535)")
    return port


def worker_count(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a number of processes (at least 1)")
    return count


def host_address(value: str) -> str:
    """An IP address, or a host name this machine can resolve."""
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    if len(value) > 253 or not _HOSTNAME.fullmatch(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not an IP address or a host name")
    try:
        socket.getaddrinfo(value, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot resolve {value!r}: {exc.strerror}") from None
    return value


def _settings() -> Settings:
    """Settings from the environment; exits 2 on invalid settings."""
    try:
        return load_settings()
    except SettingsError as exc:
        print(f"owdata: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _check_storage(settings: Settings) -> None:
    """Open and migrate storage once before serving; exits 2 with one line if it cannot.

    Without this, a bad `DATABASE_URL` would surface as a traceback from each server
    process's start-up instead of one message naming the setting.
    """
    from app.bootstrap_storage import StorageStartupError, open_storage

    async def check() -> None:
        storage = await open_storage(settings)
        await storage.close()

    try:
        asyncio.run(check())
    except StorageStartupError as exc:
        print(f"owdata: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _serve(args: argparse.Namespace) -> int:
    from app.serve import run

    settings = _settings()
    _check_storage(settings)
    return run(settings, args.host, args.port, args.workers)


def _worker(args: argparse.Namespace) -> int:
    settings = _settings()
    configure_logging(settings.log_level, settings.log_format)
    from app.bootstrap_storage import StorageStartupError
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
    from app.bootstrap_storage import StorageStartupError
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
    parser = _Parser(prog="owdata", description="Overwatch 2 data API")
    commands = parser.add_subparsers(dest="command", required=True)
    defaults = argparse.ArgumentDefaultsHelpFormatter

    serve = commands.add_parser(
        "serve", help="run the API (settings from env and .env)", formatter_class=defaults
    )
    serve.add_argument(
        "--host", type=host_address, default="127.0.0.1", help="address to listen on"
    )
    serve.add_argument("--port", type=port_number, default=8080, help="port to listen on")
    serve.add_argument("--workers", type=worker_count, default=1, help="API processes")
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
        "fake-upstream",
        help="serve the captured Blizzard pages (for tests and offline runs)",
        formatter_class=defaults,
    )
    fake.add_argument("--host", type=host_address, default="127.0.0.1", help="address to listen on")
    fake.add_argument("--port", type=port_number, default=8081, help="port to listen on")
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
