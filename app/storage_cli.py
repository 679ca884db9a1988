"""`owdata storage copy --from <sqlite path or URL> --to <URL>`: move an instance.

Part of the composition root: it opens the two storages named on the command line (pool
sizes from settings), runs `app.services.storage_copy`, draws a progress bar on stderr
and prints the counts copied and verified. Exit status 0 when every record read back
equal, 1 when some did not (they are listed), 2 when a storage cannot be opened.

    $ owdata storage copy --from data/owdata.db --to postgresql://owdata@db/owdata
    kind              copied  verified
    static_data           14        14
    ...
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import TextIO

from app.adapters.storage.postgres import PostgresStorage
from app.adapters.storage.sqlite import SQLiteStorage
from app.bootstrap_storage import StorageStartupError, pool_options, redact
from app.config import Settings
from app.services.storage_copy import KINDS, CopyReport, copy_storage

BAR_WIDTH = 30
REDRAW_SECONDS = 0.1

type Opened = SQLiteStorage | PostgresStorage


def is_url(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


async def open_location(location: str, settings: Settings, *, must_exist: bool) -> Opened:
    """A PostgreSQL URL or an SQLite file path; `StorageStartupError` if it cannot be used."""
    name = redact(location) if is_url(location) else location
    exists = is_url(location) or await asyncio.to_thread(Path(location).is_file)
    if must_exist and not exists:
        raise StorageStartupError(f"--from: no SQLite file at {location}")
    try:
        if is_url(location):
            return await PostgresStorage.open(location, pool_options(settings))
        return await SQLiteStorage.open(location)
    except Exception as exc:
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())
        raise StorageStartupError(f"cannot open {name}: {detail}") from exc


class ProgressBar:
    """`copy static_data [#####.....] 12/40` redrawn in place, at most every 0.1 s."""

    def __init__(self, out: TextIO = sys.stderr) -> None:
        self._out = out
        self._last = 0.0
        self._line = ""

    def __call__(self, phase: str, kind: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < REDRAW_SECONDS:
            return
        self._last = now
        filled = BAR_WIDTH if total == 0 else min(BAR_WIDTH, BAR_WIDTH * done // total)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self._line = f"{phase:<6} {kind:<16} [{bar}] {done}/{total}"
        self._out.write(f"\r{self._line}")
        self._out.flush()

    def close(self) -> None:
        if self._line:
            self._out.write("\n")
            self._out.flush()


def render(report: CopyReport) -> str:
    lines = [f"{'kind':<16} {'copied':>8} {'verified':>9}"]
    lines += [f"{k:<16} {report.copied[k]:>8} {report.verified[k]:>9}" for k in KINDS]
    if report.mismatches:
        lines.append(f"{len(report.mismatches)} records did not read back equal:")
        lines += [f"  {mismatch}" for mismatch in report.mismatches[:20]]
    return "\n".join(lines)


async def run_copy(source: str, target: str, settings: Settings) -> int:
    if source == target:
        raise StorageStartupError("--from and --to name the same storage")
    origin = await open_location(source, settings, must_exist=True)
    try:
        destination = await open_location(target, settings, must_exist=False)
        try:
            bar = ProgressBar()
            try:
                report = await copy_storage(origin.export, destination, bar)
            finally:
                bar.close()
        finally:
            await destination.close()
    finally:
        await origin.close()
    print(render(report))
    return 0 if report.ok else 1
