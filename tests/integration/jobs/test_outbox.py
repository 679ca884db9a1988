"""The transactional outbox: a record's bookkeeping and its refresh job commit together,
or neither does. Runs over every adapter (`storage` fixture)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from app.ports import JSONValue, Outbox, OutboxStorage
from tests.integration.storage.conftest import make_player, make_static, make_unknown

from .conftest import T0


class BlockError(Exception):
    pass


async def assert_nothing_written(storage: OutboxStorage) -> None:
    assert await storage.get_static("heroes:en-us") is None
    assert await storage.get_player("a1b2c3d4|e5f6") is None
    assert await storage.get_unknown_player("Nobody-1234") is None
    assert await storage.jobs.get("heroes:en-us") is None
    assert await storage.jobs.counts() == {"queued": 0, "running": 0, "done": 0, "dead": 0}


async def test_writes_and_jobs_commit_together(storage: OutboxStorage) -> None:
    async with storage.transaction() as tx:
        tx.put_static(make_static())
        tx.put_player(make_player())
        tx.put_unknown_player(make_unknown())
        tx.enqueue("heroes:en-us", "refresh_heroes", {"locale": "en-us"}, run_at=T0)
        tx.enqueue("player:a1b2c3d4|e5f6", "refresh_player", None, run_at=T0)
        # Buffered: nothing is visible (and no write lock is held) inside the block.
        assert await storage.get_static("heroes:en-us") is None
    assert await storage.get_static("heroes:en-us") == make_static()
    assert await storage.get_player("a1b2c3d4|e5f6") == make_player()
    assert await storage.get_unknown_player("Nobody-1234") == make_unknown()
    job = await storage.jobs.get("heroes:en-us")
    assert job is not None
    assert (job.kind, job.payload, job.state) == ("refresh_heroes", {"locale": "en-us"}, "queued")
    assert tx.enqueued == ["heroes:en-us", "player:a1b2c3d4|e5f6"]


async def transact(storage: OutboxStorage, fill: Callable[[Outbox], None]) -> Outbox:
    async with storage.transaction() as tx:
        fill(tx)
    return tx


def fill_all(tx: Outbox, *, payload: JSONValue = None, run_at: Any = T0) -> None:
    tx.put_static(make_static(parsed={"v": 2}))
    tx.put_player(make_player())
    tx.put_unknown_player(make_unknown())
    tx.enqueue("heroes:en-us", "refresh_heroes", {}, run_at=T0)
    tx.enqueue("roles:en-us", "refresh_roles", payload, run_at=run_at)


async def test_exception_in_the_block_writes_nothing(storage: OutboxStorage) -> None:
    seen: list[Outbox] = []

    def fail_midway(tx: Outbox) -> None:
        seen.append(tx)
        fill_all(tx)
        raise BlockError

    with pytest.raises(BlockError):
        await transact(storage, fail_midway)
    await assert_nothing_written(storage)
    assert seen[0].enqueued == []


async def test_failure_while_applying_writes_nothing(storage: OutboxStorage) -> None:
    # The last job's payload is not JSON: it fails after the record writes were prepared
    # (and, in memory, applied); everything must be undone.
    with pytest.raises(TypeError):
        await transact(storage, lambda tx: fill_all(tx, payload={"bad": object()}))
    await assert_nothing_written(storage)


async def test_failing_last_statement_rolls_back_the_others(storage: OutboxStorage) -> None:
    # The last statement fails inside the open transaction (SQLite's STRICT REAL column
    # refuses text; in memory `float()` does): the statements before it are rolled back.
    await storage.put_static(make_static(parsed={"v": 1}))
    with pytest.raises((sqlite3.IntegrityError, ValueError)):
        await transact(storage, lambda tx: fill_all(tx, run_at="soon"))
    assert await storage.get_static("heroes:en-us") == make_static(parsed={"v": 1})
    assert await storage.get_player("a1b2c3d4|e5f6") is None
    assert await storage.get_unknown_player("Nobody-1234") is None
    assert await storage.jobs.counts() == {"queued": 0, "running": 0, "done": 0, "dead": 0}


async def test_enqueue_in_a_transaction_deduplicates(storage: OutboxStorage) -> None:
    await storage.jobs.enqueue("heroes:en-us", "refresh_heroes", {"first": True}, run_at=T0)
    async with storage.transaction() as tx:
        tx.put_static(make_static())
        tx.enqueue("heroes:en-us", "refresh_heroes", {"first": False}, run_at=T0)
        tx.enqueue("roles:en-us", "refresh_roles", {}, run_at=T0)
        tx.enqueue("roles:en-us", "refresh_roles", {}, run_at=T0)
    assert tx.enqueued == ["roles:en-us"]
    job = await storage.jobs.get("heroes:en-us")
    assert job is not None
    assert job.payload == {"first": True}
    assert await storage.get_static("heroes:en-us") == make_static()


async def test_a_move_and_its_bookkeeping_commit_together(storage: OutboxStorage) -> None:
    # A BattleTag-keyed profile moving to its Blizzard ID: the new row, the old row's
    # deletion, the cleared backoff and the refresh job are one write.
    await storage.put_player(make_player("Solo-1234"))
    await storage.put_unknown_player(make_unknown("Solo-1234"))
    moved = make_player("ab%7Ccd", battletag="Solo-1234")

    def move(tx: Outbox, *, payload: JSONValue = None) -> None:
        tx.put_player(moved)
        tx.clear_unknown_player("Solo-1234")
        tx.enqueue("player:ab%7Ccd", "refresh_player", payload, run_at=T0)

    with pytest.raises(TypeError):
        await transact(storage, lambda tx: move(tx, payload={"bad": object()}))
    assert await storage.get_player("Solo-1234") == make_player("Solo-1234")
    assert await storage.get_player("ab%7Ccd") is None
    assert await storage.get_unknown_player("Solo-1234") is not None

    tx = await transact(storage, move)
    assert await storage.get_player("Solo-1234") is None
    assert await storage.get_player("ab%7Ccd") == moved
    assert await storage.get_unknown_player("Solo-1234") is None
    assert tx.enqueued == ["player:ab%7Ccd"]


async def test_clears_come_after_puts(storage: OutboxStorage) -> None:
    async with storage.transaction() as tx:
        tx.clear_unknown_player("Nobody-1234", "Other-1")
        tx.put_unknown_player(make_unknown())
        tx.clear_unknown_player()
    assert await storage.get_unknown_player("Nobody-1234") is None
    assert await storage.count_unknown_players() == 0
