"""The job runner: claims durable jobs (`app.ports.JobQueue`) and runs their handlers.

Handlers are registered by job kind and must be idempotent: a job whose worker died
mid-run is run again once its lease expires. While a handler runs its lease is renewed
(`job_lease`), so a slow job is never taken over; each run is bounded by `timeout`.
A failure is retried after `retry_base * 2 ** (attempts - 1)` seconds (capped), and the
job is dead after `max_attempts` runs (`job_policy`); re-enqueueing its key re-arms it.

The same runner serves in the app (a lifespan background task) and in `owdata worker`;
both may run at once on one database (SQLite file or PostgreSQL): claims are atomic and
leases per claim.

Example:
    >>> runner = JobRunner(storage.jobs, JobPolicy(concurrency=2))  # doctest: +SKIP
    >>> runner.register("refresh_heroes", refresh_heroes)  # async def refresh_heroes(job)
    >>> stop = asyncio.Event()
    >>> task = asyncio.create_task(runner.run_forever(stop))
    >>> stop.set(); await task  # at shutdown
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import os
import secrets
import socket
import time

from app.domain.errors import StorageUnavailableError
from app.ports import Clock, Job, JobQueue
from app.services.job_lease import LeaseLostError, run_leased
from app.services.job_policy import FinishedHook, Handler, JobPolicy, Outcome

logger = logging.getLogger(__name__)

__all__ = ["FinishedHook", "Handler", "JobPolicy", "JobRunner", "LeaseLostError", "Outcome"]


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()


class JobRunner:
    def __init__(
        self,
        queue: JobQueue,
        policy: JobPolicy | None = None,
        *,
        name: str | None = None,
        clock: Clock = time.time,
        on_finished: FinishedHook | None = None,
    ) -> None:
        self._queue = queue
        self.policy = policy or JobPolicy()
        # Seen in `jobs.lease_owner`: tells an operator which process holds a job.
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._clock = clock
        self._on_finished = on_finished
        self._handlers: dict[str, Handler] = {}
        self._claims = itertools.count(1)
        self._running: set[asyncio.Task[None]] = set()

    def register(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Claim and run jobs until `stop` is set, then drain (see `shutdown_grace`)."""
        try:
            while not stop.is_set():
                if len(self._running) >= self.policy.concurrency:
                    await asyncio.wait(
                        self._running,
                        timeout=self.policy.poll_interval,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    continue
                # A token per claim, so even two runs in this process cannot share a lease.
                token = f"{self.name}#{next(self._claims)}"
                if (job := await self._claim(token)) is None:
                    await _wait(stop, self.policy.poll_interval)
                    continue
                task = asyncio.create_task(self._execute(job, token), name=f"job {job.key}")
                self._running.add(task)
                task.add_done_callback(self._running.discard)
        finally:
            await self._drain()

    async def _claim(self, token: str) -> Job | None:
        try:
            lease, now = self.policy.lease_seconds, self._clock()
            return await self._queue.claim(token, lease_seconds=lease, now=now)
        except StorageUnavailableError as exc:  # a server outage: one line per poll, no trace
            logger.warning("claiming a job failed: storage unavailable (%s)", exc.detail)
            return None
        except Exception:  # e.g. the file stayed locked past busy_timeout: try again later
            logger.exception("claiming a job failed")
            return None

    async def _drain(self) -> None:
        if not self._running:
            return
        _, late = await asyncio.wait(self._running, timeout=self.policy.shutdown_grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    async def _execute(self, job: Job, token: str) -> None:
        outcome: Outcome
        started, outcome = time.monotonic(), "retry"
        try:
            outcome = await self._settle(job, token, await self._attempt(job, token))
        except LeaseLostError:  # nothing to record: the row belongs to the new owner
            logger.warning("job %s: lease lost mid-run, another worker owns it now", job.key)
        except asyncio.CancelledError:
            # Past the shutdown grace: hand the job back now rather than when its lease ends.
            with contextlib.suppress(Exception):
                await self._queue.fail(job.key, token, "interrupted", retry_at=self._clock())
            raise
        except Exception:  # the lease expiry is the fallback: the job will run again
            logger.exception("job %s: could not record the outcome", job.key)
        try:
            if self._on_finished is not None:
                self._on_finished(job.kind, outcome, time.monotonic() - started)
        except Exception:  # a metrics bug must not stop the runner
            logger.exception("on_finished hook failed")

    async def _attempt(self, job: Job, token: str) -> str | None:
        """Run the handler; None on success, else why it failed."""
        if job.attempts > self.policy.max_attempts:  # its workers kept dying: stop trying
            return f"abandoned {job.attempts - 1} times by a worker that stopped mid-run"
        if (handler := self._handlers.get(job.kind)) is None:
            # Retried, not dead at once: another process (a newer version) may know it.
            return f"no handler for kind {job.kind!r}"
        try:
            async with asyncio.timeout(self.policy.timeout) as scope:
                renew = functools.partial(self._renew, job.key, token)
                interval = self.policy.lease_seconds / 3
                await run_leased(handler(job), renew=renew, interval=interval)
        except LeaseLostError:
            raise
        except Exception as exc:
            if isinstance(exc, TimeoutError) and scope.expired():
                return f"timed out after {self.policy.timeout:g} s"
            logger.warning("job %s (%s) failed: %r", job.key, job.kind, exc)
            return f"{type(exc).__name__}: {exc}"
        return None

    async def _renew(self, key: str, token: str) -> bool:
        try:
            lease, now = self.policy.lease_seconds, self._clock()
            return await self._queue.extend_lease(key, token, lease_seconds=lease, now=now)
        except Exception:  # keep going: the lease still holds for a while, next try may work
            logger.exception("renewing the lease of job %s failed", key)
            return True

    async def _settle(self, job: Job, token: str, error: str | None) -> Outcome:
        outcome: Outcome
        if error is None:
            outcome, ok = "done", await self._queue.complete(job.key, token)
        elif job.attempts >= self.policy.max_attempts:
            outcome, ok = "dead", await self._queue.fail(job.key, token, error, retry_at=None)
            logger.error("job %s is dead after %d attempts: %s", job.key, job.attempts, error)
        else:
            retry_at = self._clock() + self.policy.retry_delay(job.attempts)
            outcome, ok = "retry", await self._queue.fail(job.key, token, error, retry_at=retry_at)
        if not ok:
            logger.warning("job %s: lease lost before recording %s", job.key, outcome)
        return outcome
