"""What only the SQLite adapter promises: pragmas, migrations, concurrency, durability,
corruption reporting, and an event loop that stays free during large writes.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
import zstandard

from app.adapters.storage import migrations, sqlite_rows
from app.adapters.storage.codec import compress
from app.adapters.storage.migrations import MIGRATIONS, Migration, split_statements
from app.adapters.storage.sqlite import (
    SchemaVersionError,
    SQLiteStorage,
    StorageClosedError,
    StorageCorruptionError,
    StorageError,
)
from app.adapters.storage.sqlite_pool import READERS
from app.ports import UnreadablePageError, read_raw

from .conftest import make_player, make_static, make_unknown

LATEST = len(MIGRATIONS)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "owdata.db"


@pytest.fixture
async def storage(db_path: Path) -> AsyncIterator[SQLiteStorage]:
    storage = await SQLiteStorage.open(db_path)
    yield storage
    await storage.close()


@contextmanager
def raw_db(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection, to inspect or tamper with the file behind the adapter."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        yield conn


def query(path: Path, sql: str, *params: Any) -> list[Any]:
    with raw_db(path) as conn:
        return conn.execute(sql, params).fetchall()


def user_version(path: Path) -> int:
    version: int = query(path, "PRAGMA user_version")[0][0]
    return version


def file_size(path: Path) -> int:
    return path.stat().st_size


def columns(path: Path, table: str) -> set[str]:
    return {row[1] for row in query(path, f"PRAGMA table_info({table})")}


class TestConnections:
    async def test_wal_journal_on_the_file(self, storage: SQLiteStorage, db_path: Path) -> None:
        assert query(db_path, "PRAGMA journal_mode") == [("wal",)]

    async def test_pragmas_on_every_connection(self, db_path: Path) -> None:
        storage = await SQLiteStorage.open(db_path, busy_timeout_ms=1234)
        pool = storage._pool
        try:
            for conn in [pool._writer, *pool._readers]:
                for pragma, expected in [("synchronous", 1), ("foreign_keys", 1)]:
                    assert list(await conn.execute_fetchall(f"PRAGMA {pragma}")) == [(expected,)]
                assert list(await conn.execute_fetchall("PRAGMA busy_timeout")) == [(1234,)]
            assert len(pool._readers) >= 1
        finally:
            await storage.close()

    async def test_creates_missing_parent_folders(self, tmp_path: Path) -> None:
        path = tmp_path / "a" / "b" / "c" / "owdata.db"
        storage = await SQLiteStorage.open(str(path))
        await storage.close()
        assert path.is_file()

    async def test_lookups_use_the_indexes(self, storage: SQLiteStorage, db_path: Path) -> None:
        by_tag = query(db_path, f"EXPLAIN QUERY PLAN {sqlite_rows.FIND_PLAYER_BY_BATTLETAG}", "x")
        assert "USING INDEX idx_player_profiles_battletag" in by_tag[0][3]
        assert len(by_tag) == 1, "the ORDER BY should come from the index, not a sort"
        old = query(db_path, f"EXPLAIN QUERY PLAN {sqlite_rows.DELETE_PLAYERS_OLDER_THAN}", 1.0)
        assert "USING INDEX idx_player_profiles_fetched_at" in old[0][3]

    async def test_stats_count_the_wal_file(self, storage: SQLiteStorage, db_path: Path) -> None:
        await storage.put_static(make_static(raw=os.urandom(256 * 1024)))
        wal = file_size(Path(f"{db_path}-wal"))
        assert wal > 0
        page_bytes = query(
            db_path, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        )
        stats = await storage.stats()
        assert stats.size_bytes >= wal + page_bytes[0][0] - 4096


class TestMigrations:
    async def test_fresh_database_is_at_the_latest_version(
        self, storage: SQLiteStorage, db_path: Path
    ) -> None:
        assert user_version(db_path) == LATEST
        tables = {row[0] for row in query(db_path, "SELECT name FROM sqlite_schema")}
        assert {"static_data", "player_profiles", "unknown_players"} <= tables
        assert {"idx_player_profiles_battletag", "idx_player_profiles_fetched_at"} <= tables

    def _create_v1(self, path: Path) -> None:
        assert isinstance(MIGRATIONS[0], str)
        with raw_db(path) as conn:
            conn.executescript(MIGRATIONS[0])
            conn.execute("PRAGMA user_version = 1")
            conn.execute("INSERT INTO unknown_players VALUES ('Old-1', 3, 10.0, 5.0)")

    async def test_older_database_is_upgraded_on_open(
        self, db_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self._create_v1(db_path)
        v2 = """
            ALTER TABLE static_data ADD COLUMN etag TEXT;  -- a ';' in a comment is fine
            CREATE INDEX IF NOT EXISTS idx_static_etag ON static_data (etag);
        """
        monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, v2))
        for _ in range(2):  # the second open finds nothing to do
            storage = await SQLiteStorage.open(db_path)
            assert await storage.get_unknown_player("Old-1") == make_unknown(
                "Old-1", check_count=3, next_check_at=10.0, last_checked_at=5.0
            )
            await storage.close()
            assert user_version(db_path) == LATEST + 1
            assert "etag" in columns(db_path, "static_data")

    async def test_version_2_player_rows_survive_the_key_rename(self, db_path: Path) -> None:
        # Migration 3 renames `player_profiles.blizzard_id` to `key`: rows written by an
        # owdata at version 2 are read back unchanged and still found by BattleTag.
        record = make_player("ab%7Ccd", battletag="Old-1")
        with raw_db(db_path) as conn:
            for step in MIGRATIONS[:2]:
                assert isinstance(step, str)
                conn.executescript(step)
            conn.execute("PRAGMA user_version = 2")
            raw, parsed = (
                compress(b"<html>career</html>"),
                compress(json.dumps(record.parsed).encode()),
            )
            conn.execute(
                "INSERT INTO player_profiles (blizzard_id, battletag, name, raw, parsed,"
                " parser_version, search_entry, last_updated_blizzard, fetched_at, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
                (
                    record.key,
                    record.battletag,
                    record.name,
                    raw,
                    parsed,
                    record.parser_version,
                    json.dumps(record.search_entry),
                    record.last_updated_blizzard,
                    record.fetched_at,
                ),
            )
        storage = await SQLiteStorage.open(db_path)
        try:
            assert await storage.get_player("ab%7Ccd") == record
            assert await storage.find_player_by_battletag("Old-1") == record
        finally:
            await storage.close()
        assert user_version(db_path) == LATEST
        assert "key" in columns(db_path, "player_profiles")
        assert "blizzard_id" not in columns(db_path, "player_profiles")

    async def test_function_steps_run_once(
        self, db_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        runs: list[int] = []

        async def backfill(conn: aiosqlite.Connection) -> None:
            runs.append(1)
            await conn.execute("UPDATE unknown_players SET check_count = check_count + 1")

        self._create_v1(db_path)
        steps: tuple[Migration, ...] = (*MIGRATIONS, backfill)
        monkeypatch.setattr(migrations, "MIGRATIONS", steps)
        for _ in range(2):
            await (await SQLiteStorage.open(db_path)).close()
        assert runs == [1]
        assert query(db_path, "SELECT check_count FROM unknown_players") == [(4,)]

    async def test_failed_step_leaves_the_previous_version(
        self, db_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self._create_v1(db_path)
        broken = "CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;"
        monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, broken))
        with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
            await SQLiteStorage.open(db_path)
        assert user_version(db_path) == LATEST
        assert "x" not in columns(db_path, "half")  # the whole step was rolled back

    async def test_first_migration_is_idempotent(self, db_path: Path) -> None:
        # Tables present but version 0 (e.g. created by hand): opening still works.
        self._create_v1(db_path)
        query(db_path, "PRAGMA user_version = 0")
        await (await SQLiteStorage.open(db_path)).close()
        assert user_version(db_path) == LATEST

    async def test_newer_database_is_refused(self, db_path: Path) -> None:
        await (await SQLiteStorage.open(db_path)).close()
        query(db_path, f"PRAGMA user_version = {LATEST + 1}")
        with pytest.raises(SchemaVersionError, match="newer than this owdata") as caught:
            await SQLiteStorage.open(db_path)
        assert (caught.value.found, caught.value.supported) == (LATEST + 1, LATEST)
        assert user_version(db_path) == LATEST + 1

    async def test_concurrent_opens_of_a_new_file(self, db_path: Path) -> None:
        # App and worker starting together must not both run migration 1.
        opened = await asyncio.gather(*(SQLiteStorage.open(db_path) for _ in range(4)))
        for storage in opened:
            await storage.close()
        assert user_version(db_path) == LATEST

    def test_split_statements_respects_literals_and_triggers(self) -> None:
        script = """
            CREATE TABLE t (x TEXT DEFAULT 'a;b');
            CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = 'c;d'; END;
        """
        statements = split_statements(script)
        assert len(statements) == 2
        assert statements[1].endswith("END;")
        with pytest.raises(ValueError, match="incomplete"):
            split_statements("SELECT 'unterminated;")


class TestConcurrency:
    async def test_fifty_concurrent_writers(self, storage: SQLiteStorage) -> None:
        await asyncio.gather(
            *(storage.put_player(make_player(f"id{i}", battletag=f"P-{i}")) for i in range(50)),
            *(storage.put_unknown_player(make_unknown(f"U-{i}")) for i in range(50)),
            *(storage.get_player(f"id{i}") for i in range(50)),
        )
        stats = await storage.stats()
        assert (stats.rows["player_profiles"], stats.rows["unknown_players"]) == (50, 50)

    async def test_two_processes_sharing_the_file(self, db_path: Path) -> None:
        # Two storages on one file stand for the app and the worker: separate writers.
        app, worker = [await SQLiteStorage.open(db_path, busy_timeout_ms=10_000) for _ in "ab"]
        try:
            await asyncio.gather(
                *(
                    app.put_player(make_player(f"app{i}", raw=os.urandom(50_000)))
                    for i in range(25)
                ),
                *(worker.put_player(make_player(f"wrk{i}")) for i in range(25)),
                *(worker.delete_players_older_than(0.0) for _ in range(5)),
                *(app.count_unknown_players() for _ in range(25)),
            )
            assert (await worker.stats()).rows["player_profiles"] == 50
        finally:
            await app.close()
            await worker.close()

    async def test_failed_write_is_rolled_back(self, storage: SQLiteStorage) -> None:
        # STRICT columns refuse a string version: the error happens inside the transaction.
        with pytest.raises(sqlite3.IntegrityError):
            await storage.put_static(make_static(parser_version="not a number"))
        await storage.put_static(make_static("after"))
        assert await storage.get_static("after") == make_static("after")

    async def test_cancelled_writes_leave_no_open_transaction(self, storage: SQLiteStorage) -> None:
        big = make_static(raw=os.urandom(2 * 1024 * 1024))
        for delay in [0.0, 0.0002, 0.0005, 0.001, 0.002, 0.004, 0.01]:
            task = asyncio.create_task(storage.put_static(big))
            await asyncio.sleep(delay)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await storage.put_static(make_static("after"))
            assert await storage.get_static("after") == make_static("after")


class TestDurabilityAndCorruption:
    async def test_data_survives_close_and_reopen(self, db_path: Path) -> None:
        storage = await SQLiteStorage.open(db_path)
        await storage.put_static(make_static())
        await storage.put_player(make_player())
        await storage.put_unknown_player(make_unknown())
        await storage.close()
        reopened = await SQLiteStorage.open(db_path)
        try:
            assert await reopened.get_static("heroes:en-us") == make_static()
            assert await reopened.get_player("a1b2c3d4|e5f6") == make_player()
            assert await reopened.get_unknown_player("Nobody-1234") == make_unknown()
        finally:
            await reopened.close()

    @pytest.mark.parametrize(
        ("column", "value"),
        [
            ("raw", b"not zstd at all"),  # not even a frame header
            ("parsed", b"not zstd at all"),
            ("parsed", compress(b"{not json")),
            ("parsed", compress(b"\xff\xfe")),  # not UTF-8
        ],
    )
    async def test_corrupt_payload_reads_as_absent_and_is_logged_once(
        self,
        db_path: Path,
        column: str,
        value: bytes,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        tables: list[str] = []
        storage = await SQLiteStorage.open(db_path, on_decode_error=tables.append)
        try:
            await storage.put_static(make_static())
            query(db_path, f"UPDATE static_data SET {column} = ?", value)
            assert await storage.get_static("heroes:en-us") is None
        finally:
            await storage.close()
        assert tables == ["static_data"]
        logged = [r.getMessage() for r in caplog.records if "unreadable row" in r.getMessage()]
        assert len(logged) == 1
        assert "static_data" in logged[0]
        assert "'heroes:en-us'" in logged[0]

    async def test_a_damaged_raw_page_shows_only_when_read(self, db_path: Path) -> None:
        # Only a re-parse needs the raw page: reading the record does not decode it.
        storage = await SQLiteStorage.open(db_path)
        try:
            await storage.put_static(make_static())
            query(db_path, "UPDATE static_data SET raw = ?", b"\x28\xb5\x2f\xfd garbage")
            stored = await storage.get_static("heroes:en-us")
        finally:
            await storage.close()
        assert stored is not None
        assert stored.parsed == make_static().parsed
        with pytest.raises(UnreadablePageError):
            await read_raw(stored.raw)

    async def test_the_row_decoders_still_name_the_damage(self, db_path: Path) -> None:
        # What the adapters catch: the error carries the table and key for the log line.
        row = (b"not zstd at all", compress(b"[]"), 1, 0.0)
        with pytest.raises(StorageCorruptionError, match="static_data") as caught:
            await sqlite_rows.static_from_row("heroes:en-us", row)
        assert isinstance(caught.value, StorageError)
        assert caught.value.key == "heroes:en-us"

    async def test_a_failing_decode_observer_still_reads_as_absent(self, db_path: Path) -> None:
        def broken(table: str) -> None:
            raise RuntimeError("metrics bug")

        storage = await SQLiteStorage.open(db_path, on_decode_error=broken)
        try:
            await storage.put_player(make_player(battletag="Bad-1"))
            query(db_path, "UPDATE player_profiles SET search_entry = '{oops'")
            assert await storage.get_player("a1b2c3d4|e5f6") is None
            assert await storage.find_player_by_battletag("Bad-1") is None
        finally:
            await storage.close()

    def test_zstd_errors_are_the_kind_we_translate(self) -> None:
        with pytest.raises(zstandard.ZstdError):
            zstandard.decompress(b"not zstd at all")


class TestObservabilityAndLoop:
    async def test_on_operation_reports_each_call(self, db_path: Path) -> None:
        calls: list[tuple[str, str, float, bool]] = []
        storage = await SQLiteStorage.open(db_path, on_operation=lambda *c: calls.append(c))
        try:
            await storage.put_static(make_static())
            await storage.get_static("heroes:en-us")
            await storage.close()
            with pytest.raises(StorageClosedError):
                await storage.get_static("heroes:en-us")
        finally:
            await storage.close()
        assert [(t, op, ok) for t, op, _, ok in calls] == [
            ("static_data", "put", True),
            ("static_data", "get", True),
            ("static_data", "get", False),
        ]
        assert all(duration >= 0 for _, _, duration, _ in calls)

    async def test_warm_up_prepares_every_read_on_every_reader_uncounted(
        self, db_path: Path
    ) -> None:
        operations: list[str] = []
        storage = await SQLiteStorage.open(
            db_path, on_operation=lambda table, operation, *_: operations.append(operation)
        )
        try:
            traced: dict[int, list[str]] = {}
            for reader in storage._pool._readers:
                await reader.set_trace_callback(traced.setdefault(id(reader), []).append)

            await storage.warm_up()
        finally:
            await storage.close()
        assert len(traced) == READERS
        for statements in traced.values():
            for query in sqlite_rows.WARM_UP_READS:
                expected = query.replace("?", f"'{sqlite_rows.WARM_UP_KEY}'")
                assert expected in statements
        assert operations == []

    async def test_a_failing_observer_does_not_fail_operations(self, db_path: Path) -> None:
        def broken(table: str, operation: str, duration: float, ok: bool) -> None:
            raise RuntimeError("metrics bug")

        storage = await SQLiteStorage.open(db_path, on_operation=broken)
        try:
            await storage.put_static(make_static())
            assert await storage.get_static("heroes:en-us") == make_static()
        finally:
            await storage.close()

    async def test_large_write_does_not_block_the_event_loop(self, storage: SQLiteStorage) -> None:
        # Compressible but not trivially: hex of random bytes, 8 MB.
        raw = os.urandom(4 * 1024 * 1024).hex().encode()
        record = make_static(raw=raw, parsed={"n": 1})
        started = time.perf_counter()
        compress(raw)
        blocking = time.perf_counter() - started  # what an inline compression would stall

        gaps: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(0.001)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        ticking = asyncio.create_task(ticker())
        await asyncio.sleep(0.005)
        await storage.put_static(record)
        stored = await storage.get_static(record.key)
        done.set()
        await ticking
        assert stored is not None
        assert await read_raw(stored.raw) == raw
        assert len(gaps) >= 10
        assert max(gaps) < blocking / 2, f"loop stalled {max(gaps):.3f}s (inline: {blocking:.3f}s)"
