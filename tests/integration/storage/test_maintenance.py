"""The cleanup job keeps storage bounded (issue 12, retention): old profiles, unknown
players whose backoff ended long ago, done and dead jobs go; everything else stays.
Runs on every storage adapter, with an injected clock."""

from __future__ import annotations

import time

from app.ports import OutboxStorage
from app.services.maintenance import Maintenance, Purged, Retention

from .conftest import make_player, make_unknown

DAY = 86_400
NOW = time.time()  # jobs record wall-clock bookkeeping times


def keep(**changes: int) -> Retention:
    defaults = {"profiles": 7 * DAY, "done_jobs": DAY, "unknown_players": DAY, "dead_jobs": 7 * DAY}
    return Retention(**{**defaults, **changes})


async def dead_job(storage: OutboxStorage, key: str) -> None:
    await storage.jobs.enqueue(key, "refresh", None, run_at=0)
    job = await storage.jobs.claim("w#1", lease_seconds=60, now=NOW)
    assert job is not None
    assert await storage.jobs.fail(job.key, "w#1", "boom", retry_at=None)


async def test_a_stream_of_random_unknown_names_stays_bounded(storage: OutboxStorage) -> None:
    for i in range(500):  # asked once each, their backoff long over
        await storage.put_unknown_player(
            make_unknown(f"Random{i}-{i}", next_check_at=NOW - DAY - 1 - i, last_checked_at=NOW)
        )
    await storage.put_unknown_player(make_unknown("Recent-1", next_check_at=NOW - 60))
    await storage.put_unknown_player(make_unknown("Waiting-2", next_check_at=NOW + 600))

    purged = await Maintenance(storage, lambda: NOW, keep()).run_once()

    assert purged == Purged(unknown_players=500)
    assert await storage.count_unknown_players() == 2
    assert await storage.get_unknown_player("Recent-1") is not None


async def test_dead_jobs_go_after_their_retention(storage: OutboxStorage) -> None:
    await dead_job(storage, "player:dead")
    await storage.jobs.enqueue("player:queued", "refresh", None, run_at=NOW + 3600)

    kept = await Maintenance(storage, lambda: NOW + 6 * DAY, keep()).run_once()
    assert kept.dead_jobs == 0
    purged = await Maintenance(storage, lambda: NOW + 8 * DAY, keep()).run_once()

    assert purged.dead_jobs == 1
    assert await storage.jobs.get("player:dead") is None
    assert await storage.jobs.counts() == {"queued": 1, "running": 0, "done": 0, "dead": 0}


async def test_zero_keeps_unknown_players_and_dead_jobs_forever(storage: OutboxStorage) -> None:
    await dead_job(storage, "player:dead")
    await storage.put_unknown_player(make_unknown(next_check_at=0.0))
    await storage.put_player(make_player(fetched_at=0.0))

    later = lambda: NOW + 365 * DAY  # noqa: E731
    purged = await Maintenance(
        storage, later, keep(unknown_players=0, dead_jobs=0, profiles=0)
    ).run_once()

    assert purged == Purged()
    assert await storage.count_unknown_players() == 1
    assert (await storage.jobs.counts())["dead"] == 1
    assert await storage.get_player("a1b2c3d4|e5f6") is not None


async def test_old_profiles_and_done_jobs_still_go(storage: OutboxStorage) -> None:
    await storage.put_player(make_player(fetched_at=NOW - 8 * DAY))
    await storage.jobs.enqueue("static:roles", "refresh", None, run_at=0)
    job = await storage.jobs.claim("w#1", lease_seconds=60, now=NOW)
    assert job is not None
    await storage.jobs.complete(job.key, "w#1")

    purged = await Maintenance(storage, lambda: NOW + 2 * DAY, keep()).run_once()

    assert purged == Purged(profiles=1, done_jobs=1)
