"""The `Outbox` both storage adapters hand out: writes recorded now, applied at block exit.

Why buffer instead of running each write inside an open transaction: SQLite has one
writer, so a transaction left open while the caller awaits something else (an upstream
call, a slow parse) would stall every other write of every process. Buffering keeps
the write lock for exactly the statements, and payloads are compressed before it is
taken. An exception inside the `async with` block therefore writes nothing at all.

Example:
    >>> async with storage.transaction() as tx:  # doctest: +SKIP
    ...     tx.put_player(record)
    ...     tx.enqueue(f"player:{record.key}", "refresh_player", {}, run_at=now)
    >>> tx.enqueued  # keys that were really queued (not already queued or running)
    ['player:...']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.ports import JobQueue, JSONValue, PlayerRecord, StaticRecord, Storage, UnknownPlayer


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A job to enqueue, as given to `Outbox.enqueue`."""

    key: str
    kind: str
    payload: JSONValue
    run_at: float


@dataclass(slots=True)
class PendingWrites:
    """Implements `app.ports.Outbox`; the adapter applies it in one transaction.

    Writes are applied table by table (static, players, unknown players, jobs), each in
    call order; they touch different tables, so no caller can observe that order. Within
    unknown players, the clears come after the puts.
    """

    statics: list[StaticRecord] = field(default_factory=list)
    players: list[PlayerRecord] = field(default_factory=list)
    unknowns: list[UnknownPlayer] = field(default_factory=list)
    cleared_unknowns: list[str] = field(default_factory=list)
    jobs: list[JobSpec] = field(default_factory=list)
    enqueued: list[str] = field(default_factory=list)
    """Filled after a successful commit: keys whose job was (re)queued."""

    def put_static(self, record: StaticRecord) -> None:
        self.statics.append(record)

    def put_player(self, record: PlayerRecord) -> None:
        self.players.append(record)

    def put_unknown_player(self, status: UnknownPlayer) -> None:
        self.unknowns.append(status)

    def clear_unknown_player(self, *keys: str) -> None:
        self.cleared_unknowns.extend(keys)

    def enqueue(self, key: str, kind: str, payload: JSONValue, *, run_at: float) -> None:
        self.jobs.append(JobSpec(key, kind, payload, run_at))

    async def apply(self, storage: Storage, jobs: JobQueue) -> None:
        """Apply through the ports one by one (the in-memory adapter's way; it undoes a
        partial apply itself). SQLite runs the same writes as SQL in one transaction."""
        for record in self.statics:
            await storage.put_static(record)
        for player in self.players:
            await storage.put_player(player)
        for status in self.unknowns:
            await storage.put_unknown_player(status)
        await storage.clear_unknown_player(*self.cleared_unknowns)
        for job in self.jobs:
            if await jobs.enqueue(job.key, job.kind, job.payload, run_at=job.run_at):
                self.enqueued.append(job.key)
