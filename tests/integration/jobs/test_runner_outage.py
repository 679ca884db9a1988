"""A storage server outage seen by the `JobRunner`: one warning line per failed claim (no
traceback flooding the log every poll), and the queued job runs once the server is back."""

from __future__ import annotations

import logging

import pytest

from app.adapters.storage.memory_jobs import MemoryJobQueue
from app.domain.errors import StorageUnavailableError
from app.ports import Job
from app.services.jobs import JobPolicy, JobRunner

from .conftest import eventually, running


class OutageQueue(MemoryJobQueue):
    """Claims fail as `PostgresPool` fails them while the server is down, `outage` times."""

    def __init__(self, outage: int) -> None:
        super().__init__()
        self.outage = outage

    async def claim(self, owner: str, *, lease_seconds: float, now: float) -> Job | None:
        if self.outage:
            self.outage -= 1
            raise StorageUnavailableError("ConnectionRefusedError: [Errno 111]")
        return await super().claim(owner, lease_seconds=lease_seconds, now=now)


async def test_an_outage_is_one_warning_per_claim_then_the_job_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    queue = OutageQueue(outage=3)
    ran: list[str] = []

    async def handler(job: Job) -> None:
        ran.append(job.key)

    runner = JobRunner(queue, JobPolicy(poll_interval=0.01, lease_seconds=5.0))
    runner.register("refresh", handler)
    await queue.enqueue("k", "refresh", None, run_at=0.0)
    with caplog.at_level(logging.WARNING, logger="app.services.jobs"):
        async with running(runner):
            await eventually(lambda: ran)
    failures = [r for r in caplog.records if "claiming a job failed" in r.getMessage()]
    assert len(failures) == 3
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in failures)
    assert "storage unavailable (ConnectionRefusedError" in failures[0].getMessage()
    assert ran == ["k"]
