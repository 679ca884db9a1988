"""Copy everything one storage holds into another, then check it arrived: the heart of
`owdata storage copy` (moving an instance from SQLite to PostgreSQL, or between servers).

Records are written through the target's ports, in transactions of `BATCH` records, so a
copy run again rewrites the same rows (idempotent) and never half-writes a batch. Pending
jobs are enqueued (a running job arrives queued: its lease belonged to a process of the
old instance). Verification reads every source record back from the target.

Example:
    >>> report = await copy_storage(sqlite.export, postgres, on_progress=print)  # doctest: +SKIP
    >>> report.copied, report.verified
    ({'static_data': 12, ...}, {'static_data': 12, ...})
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from app.ports import Job, Outbox, OutboxStorage, PlayerRecord, StaticRecord, StorageExport
from app.ports import UnknownPlayer as Unknown

KINDS = ("static_data", "player_profiles", "unknown_players", "jobs")
BATCH = 50

Progress = Callable[[str, str, int, int], None]
"""Called as (phase: "copy" | "verify", kind, done, total) after each record."""

type Record = StaticRecord | PlayerRecord | Unknown | Job


@dataclass(slots=True)
class CopyReport:
    copied: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    verified: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    mismatches: list[str] = field(default_factory=list)
    """`kind key` of each record that did not read back equal."""

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.copied == self.verified


def _records(source: StorageExport, kind: str) -> AsyncIterator[Record]:
    readers: dict[str, Callable[[], AsyncIterator[Record]]] = {
        "static_data": source.static,
        "player_profiles": source.players,
        "unknown_players": source.unknown_players,
        "jobs": source.pending_jobs,
    }
    return readers[kind]()


def _write(tx: Outbox, record: Record) -> None:
    if isinstance(record, StaticRecord):
        tx.put_static(record)
    elif isinstance(record, PlayerRecord):
        tx.put_player(record)
    elif isinstance(record, Unknown):
        tx.put_unknown_player(record)
    else:
        tx.enqueue(record.key, record.kind, record.payload, run_at=record.run_at)


async def _matches(target: OutboxStorage, record: Record) -> bool:
    if isinstance(record, StaticRecord):
        return await target.get_static(record.key) == record
    if isinstance(record, PlayerRecord):
        return await target.get_player(record.key) == record
    if isinstance(record, Unknown):
        return await target.get_unknown_player(record.key) == record
    job = await target.jobs.get(record.key)
    return job is not None and (job.kind, job.payload) == (record.kind, record.payload)


async def _flush(target: OutboxStorage, batch: list[Record]) -> None:
    async with target.transaction() as tx:
        for record in batch:
            _write(tx, record)
    batch.clear()


async def copy_storage(
    source: StorageExport, target: OutboxStorage, on_progress: Progress | None = None
) -> CopyReport:
    """Copy every kind of record from `source` to `target`, then verify each one."""
    progress = on_progress or (lambda phase, kind, done, total: None)
    totals = await source.counts()
    report = CopyReport()
    for kind in KINDS:
        batch: list[Record] = []
        async for record in _records(source, kind):
            batch.append(record)
            if len(batch) >= BATCH:
                await _flush(target, batch)
            report.copied[kind] += 1
            progress("copy", kind, report.copied[kind], totals[kind])
        await _flush(target, batch)
    for kind in KINDS:
        async for record in _records(source, kind):
            if await _matches(target, record):
                report.verified[kind] += 1
            else:
                report.mismatches.append(f"{kind} {record.key}")
            progress("verify", kind, report.verified[kind], totals[kind])
    return report
