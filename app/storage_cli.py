"""`owdata storage copy --from <sqlite path or URL> --to <URL>`: move an instance.

Part of the composition root: it opens the two storages named on the command line (pool
sizes from settings), runs `app.services.storage_copy`, draws a progress bar on stderr
(`app.devtools.progress`) and prints the counts copied and verified. Exit status 0 when
every record read back equal, 1 when some did not (they are listed), 2 when a storage
cannot be opened.

    $ owdata storage copy --from data/owdata.db --to postgresql://owdata@db/owdata
    kind              copied  verified
    static_data           14        14
    ...
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from app.adapters.storage.postgres import PostgresStorage
from app.adapters.storage.sqlite import SQLiteStorage
from app.bootstrap_storage import StorageStartupError, pool_options, redact
from app.config import Settings
from app.devtools.progress import Progress
from app.services.storage_copy import KINDS, CopyReport, copy_storage

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


class CopyProgress:
    """`[#####---] 12/40 copy static_data` on stderr (`Progress`): on a terminal redrawn in
    place at most every 0.1 s; elsewhere (CI logs, files) a line as each kind starts and
    ends, never one per record."""

    def __init__(self, bar: Progress | None = None) -> None:
        self._bar = bar or Progress(total=0)
        self._last = 0.0
        self._step = ("", "")

    def __call__(self, phase: str, kind: str, done: int, total: int) -> None:
        now, step = time.monotonic(), (phase, kind)
        within = step == self._step and done < total  # a kind under way: redraw sparingly
        if within and (not self._bar.tty or now - self._last < REDRAW_SECONDS):
            return
        self._last, self._step = now, step
        self._bar.show(done, total, f"{phase} {kind}")

    def close(self) -> None:
        self._bar.close()


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
            bar = CopyProgress()
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
