"""`owdata capture` on the command line: its arguments, and the run from the CLI's settings.

`app.cli` registers it (`add_parser`) and hands it what it read from the settings; the
capture itself is `app.devtools.capture`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path

from app.adapters.throttle import ThrottledUpstream
from app.devtools.capture import CapturePlan, capture
from app.devtools.capture_recorder import RecordingUpstream
from app.domain.enums import Locale
from app.domain.player_ids import parse_player_id
from app.parsers.rates import rates_query
from app.services.throttle import Throttle

_HERO_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")


def rates_spec(value: str) -> tuple[str, str, str]:
    """`platform:gamemode:region`, e.g. `pc:competitive:europe`."""
    parts = tuple(value.split(":"))
    try:
        platform, gamemode, region = parts
        rates_query(
            platform=platform,
            gamemode=gamemode,
            region=region,
            map_key=None,
            competitive_division=None,
            rq="0",
        )
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r}: expected platform:gamemode:region, e.g. pc:competitive:europe"
        ) from None
    return platform, gamemode, region


def player_id(value: str) -> str:
    try:
        parse_player_id(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    *,
    run: Callable[[argparse.Namespace], int],
) -> None:
    """Register `owdata capture` on the CLI's sub-commands; `run` starts it."""
    capture = commands.add_parser(
        "capture",
        help="fetch upstream pages into a fixtures folder (for offline runs and bug reports)",
    )
    capture.add_argument("--out", type=Path, required=True, help="new (or empty) folder")
    capture.add_argument(
        "--locale",
        default="en-us",
        choices=[locale.value for locale in Locale],
        help="locale of the home, heroes and hero pages (default: %(default)s)",
    )
    capture.add_argument(
        "--heroes",
        type=heroes_spec,
        default="all",
        help="`all` (the default), `none`, or hero keys separated by commas",
    )
    capture.add_argument(
        "--player", type=player_id, action="append", default=[], help="BattleTag (repeatable)"
    )
    capture.add_argument(
        "--search", action="append", default=[], help="a name to search (repeatable)"
    )
    capture.add_argument(
        "--rates",
        type=rates_spec,
        action="append",
        default=[],
        help="pick/win rates for platform:gamemode:region (repeatable)",
    )
    capture.set_defaults(run=run)


def heroes_spec(value: str) -> list[str] | None:
    """`all` (None: every hero the heroes list names), `none` ([]), or `ana,mercy`."""
    if value == "all":
        return None
    keys = [key.strip() for key in value.split(",") if key.strip() not in ("", "none")]
    bad = [key for key in keys if not _HERO_KEY.fullmatch(key)]
    if bad:
        raise argparse.ArgumentTypeError(f"not hero keys: {', '.join(bad)} (e.g. ana,soldier-76)")
    return keys


def plan_from(args: argparse.Namespace) -> CapturePlan:
    return CapturePlan(args.locale, args.heroes, args.player, args.search, args.rates)


def check_out(out: Path) -> str | None:
    """Why `out` cannot receive a capture, or None."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        return f"{out} exists and is not an empty folder"
    return None


def run(
    args: argparse.Namespace,
    *,
    base_url: str,
    timeout: float,
    user_agent: str,
    throttle: Callable[[], Throttle],
) -> int:
    """`owdata capture`, given the settings the CLI read; `throttle` builds the app's own."""
    problem = check_out(args.out)
    if problem:
        print(f"owdata capture: {problem}", file=sys.stderr)
        return 2
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the progress bar says it all

    async def main() -> int:
        recorder = RecordingUpstream.create(
            base_url=base_url, timeout=timeout, user_agent=user_agent
        )
        upstream = ThrottledUpstream(recorder, throttle())
        try:
            return await capture(plan_from(args), recorder, upstream, args.out)
        finally:
            await upstream.close()

    return asyncio.run(main())
