"""A worker process for the crash test: it runs a job's handler, which hangs until the test
SIGKILLs the process. The test process then runs the same handler to completion.

    python -m tests.integration.jobs.crash_worker DB_PATH LOG_PATH

The handler appends `started <pid>` to LOG_PATH, then (unless told not to hang) waits
forever, and finally appends `completed <pid>`: the side effect that must happen once.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from app.adapters.storage.sqlite import SQLiteStorage
from app.ports import Job
from app.services.jobs import JobPolicy, JobRunner

KIND = "refresh_player"
LEASE_SECONDS = 1.5
POLICY = JobPolicy(lease_seconds=LEASE_SECONDS, poll_interval=0.02, timeout=60.0)


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(line + "\n")
        file.flush()
        os.fsync(file.fileno())  # the test reads it from another process


async def handler(job: Job, log: Path, *, hang: bool) -> None:
    await asyncio.to_thread(_append, log, f"started {os.getpid()}")
    if hang:
        await asyncio.Event().wait()  # the test kills us here, mid-job
    await asyncio.to_thread(_append, log, f"completed {os.getpid()}")


async def main(db_path: str, log_path: str) -> None:
    storage = await SQLiteStorage.open(db_path, busy_timeout_ms=10_000)
    runner = JobRunner(storage.jobs, POLICY, name=f"doomed:{os.getpid()}")

    async def hanging(job: Job) -> None:
        await handler(job, Path(log_path), hang=True)

    runner.register(KIND, hanging)
    await runner.run_forever(asyncio.Event())  # never stops by itself


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
