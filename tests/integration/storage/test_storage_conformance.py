"""One suite every `Storage` adapter must pass: SQLite (file and `:memory:`) and in-memory.

Each test runs once per adapter through the `storage` fixture (see `conftest.py`), so a
behaviour that differs between adapters fails here.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

import pytest

from app.adapters.storage.errors import StorageClosedError
from app.ports import Storage, UnknownPlayer, read_raw

from .conftest import T0, damage, make_player, make_static, make_unknown

MB = 1024 * 1024
UNICODE_TEXT = 'Ана 🙂 한국어 — «ÿ» \u0000 \\ " end'


def large_parsed() -> dict[str, Any]:
    return {"text": "é" * (MB // 2), "numbers": list(range(50_000)), "nested": [{"a": [1.5]}] * 999}


class TestStaticData:
    async def test_missing_key_is_none(self, storage: Storage) -> None:
        assert await storage.get_static("heroes:en-us") is None

    async def test_round_trip(self, storage: Storage) -> None:
        record = make_static()
        await storage.put_static(record)
        assert await storage.get_static(record.key) == record

    async def test_put_replaces_every_field(self, storage: Storage) -> None:
        await storage.put_static(make_static())
        newer = make_static(raw=b"v2", parsed={"v": 2}, parser_version=2, fetched_at=T0 + 5)
        await storage.put_static(newer)
        assert await storage.get_static(newer.key) == newer

    async def test_keys_are_exact(self, storage: Storage) -> None:
        await storage.put_static(make_static("heroes:en-us"))
        assert await storage.get_static("Heroes:en-us") is None
        assert await storage.get_static("heroes:en-u") is None

    async def test_unicode_round_trip(self, storage: Storage) -> None:
        record = make_static(
            f"hero:{UNICODE_TEXT}",
            raw=UNICODE_TEXT.encode(),
            parsed={UNICODE_TEXT: [UNICODE_TEXT, {"k": UNICODE_TEXT}]},
        )
        await storage.put_static(record)
        assert await storage.get_static(record.key) == record

    async def test_large_payload_round_trip(self, storage: Storage) -> None:
        # Random bytes do not compress: the full megabyte goes through the codec.
        record = make_static(raw=os.urandom(MB), parsed=large_parsed())
        await storage.put_static(record)
        assert await storage.get_static(record.key) == record

    @pytest.mark.parametrize("parsed", [None, 0, "text", [], {}, [1, 2.5, True, None]])
    async def test_any_json_value_round_trips(self, storage: Storage, parsed: Any) -> None:
        await storage.put_static(make_static(parsed=parsed))
        stored = await storage.get_static("heroes:en-us")
        assert stored is not None
        assert stored.parsed == parsed


class TestPlayers:
    async def test_missing_player_is_none(self, storage: Storage) -> None:
        assert await storage.get_player("nobody") is None
        assert await storage.find_player_by_battletag("Nobody-1234") is None

    async def test_round_trip(self, storage: Storage) -> None:
        record = make_player()
        await storage.put_player(record)
        assert await storage.get_player(record.key) == record

    async def test_round_trip_with_optional_fields_empty(self, storage: Storage) -> None:
        record = make_player(
            battletag=None, name=None, search_entry=None, last_updated_blizzard=None
        )
        await storage.put_player(record)
        assert await storage.get_player(record.key) == record

    async def test_unicode_and_large_round_trip(self, storage: Storage) -> None:
        record = make_player(
            f"id|{UNICODE_TEXT}",
            battletag="Ранг-1234",
            name=UNICODE_TEXT,
            raw=os.urandom(MB),
            parsed=large_parsed(),
            search_entry={"name": UNICODE_TEXT},
        )
        await storage.put_player(record)
        assert await storage.get_player(record.key) == record
        assert await storage.find_player_by_battletag("Ранг-1234") == record

    async def test_put_replaces_payload(self, storage: Storage) -> None:
        await storage.put_player(make_player())
        newer = make_player(
            raw=b"v2",
            parsed={"v": 2},
            parser_version=3,
            search_entry=None,
            last_updated_blizzard=None,
            fetched_at=T0 + 60,
        )
        await storage.put_player(newer)
        assert await storage.get_player(newer.key) == newer

    async def test_upsert_keeps_known_battletag_and_name(self, storage: Storage) -> None:
        await storage.put_player(make_player(battletag="Known-1", name="Known"))
        await storage.put_player(make_player(battletag=None, name=None, raw=b"v2"))
        stored = await storage.get_player("a1b2c3d4|e5f6")
        assert stored is not None
        assert (stored.battletag, stored.name) == ("Known-1", "Known")
        assert await read_raw(stored.raw) == b"v2"

    async def test_upsert_keeps_each_field_independently(self, storage: Storage) -> None:
        await storage.put_player(make_player(battletag="Old-1", name="Old"))
        await storage.put_player(make_player(battletag=None, name="New"))
        stored = await storage.get_player("a1b2c3d4|e5f6")
        assert stored is not None
        assert (stored.battletag, stored.name) == ("Old-1", "New")

    async def test_upsert_replaces_a_new_battletag(self, storage: Storage) -> None:
        await storage.put_player(make_player(battletag="Old-1"))
        await storage.put_player(make_player(battletag="New-2"))
        assert await storage.find_player_by_battletag("Old-1") is None
        found = await storage.find_player_by_battletag("New-2")
        assert found is not None
        assert found.key == "a1b2c3d4|e5f6"

    async def test_find_by_battletag_is_exact(self, storage: Storage) -> None:
        await storage.put_player(make_player(battletag="Player-1234"))
        await storage.put_player(make_player("other", battletag="Other-1"))
        found = await storage.find_player_by_battletag("Player-1234")
        assert found is not None
        assert found.key == "a1b2c3d4|e5f6"
        assert await storage.find_player_by_battletag("player-1234") is None
        assert await storage.find_player_by_battletag("Player") is None

    async def test_find_by_battletag_prefers_the_freshest_profile(self, storage: Storage) -> None:
        # A BattleTag can linger on a stale row after its owner renamed.
        await storage.put_player(make_player("old", battletag="Same-1", fetched_at=T0))
        await storage.put_player(make_player("new", battletag="Same-1", fetched_at=T0 + 9))
        await storage.put_player(make_player("mid", battletag="Same-1", fetched_at=T0 + 1))
        found = await storage.find_player_by_battletag("Same-1")
        assert found is not None
        assert found.key == "new"

    async def test_delete_players_older_than(self, storage: Storage) -> None:
        for age, key in enumerate(["a", "b", "c", "d"]):
            await storage.put_player(make_player(key, fetched_at=T0 + age))
        assert await storage.delete_players_older_than(T0 + 2) == 2
        # Strictly older: a profile fetched exactly at the cutoff stays.
        assert await storage.get_player("a") is None
        assert await storage.get_player("b") is None
        assert await storage.get_player("c") is not None
        assert await storage.get_player("d") is not None
        assert await storage.delete_players_older_than(T0 + 2) == 0

    async def test_delete_players_leaves_other_tables(self, storage: Storage) -> None:
        await storage.put_static(make_static(fetched_at=0.0))
        await storage.put_unknown_player(make_unknown(last_checked_at=0.0))
        assert await storage.delete_players_older_than(T0 * 2) == 0
        assert await storage.get_static("heroes:en-us") is not None
        assert await storage.count_unknown_players() == 1


class TestPlayerKeys:
    """A profile is keyed by its Blizzard ID, or by its BattleTag when Blizzard served the
    career page without a redirect; a later redirect moves it (`Storage.put_player`)."""

    async def test_battletag_key_round_trips(self, storage: Storage) -> None:
        record = make_player("Solo-1234", search_entry=None)
        assert (record.battletag, record.blizzard_id) == ("Solo-1234", None)
        await storage.put_player(record)
        assert await storage.get_player("Solo-1234") == record
        assert await storage.find_player_by_battletag("Solo-1234") == record

    def test_battletag_key_must_be_the_records_battletag(self) -> None:
        with pytest.raises(ValueError, match="BattleTag-keyed"):
            make_player("Solo-1234", battletag="Other-1")
        with pytest.raises(ValueError, match="BattleTag-keyed"):
            make_player("Solo-1234", battletag=None)
        assert make_player("ab%7Ccd").blizzard_id == "ab%7Ccd"

    async def test_moving_to_the_blizzard_id_replaces_the_battletag_row(
        self, storage: Storage
    ) -> None:
        await storage.put_player(make_player("Solo-1234", raw=b"old", fetched_at=T0))
        moved = make_player("ab%7Ccd", battletag="Solo-1234", raw=b"new", fetched_at=T0 + 5)
        await storage.put_player(moved)
        assert await storage.get_player("Solo-1234") is None
        assert await storage.get_player("ab%7Ccd") == moved
        assert await storage.find_player_by_battletag("Solo-1234") == moved
        assert (await storage.stats()).rows["player_profiles"] == 1

    async def test_moving_even_when_the_battletag_row_is_fresher(self, storage: Storage) -> None:
        # The redirect is Blizzard's newest answer for the BattleTag, whatever the clocks say.
        await storage.put_player(make_player("Solo-1234", fetched_at=T0 + 100))
        await storage.put_player(make_player("ab%7Ccd", battletag="Solo-1234", fetched_at=T0))
        assert await storage.get_player("Solo-1234") is None
        found = await storage.find_player_by_battletag("Solo-1234")
        assert found is not None
        assert found.key == "ab%7Ccd"

    async def test_other_battletag_rows_stay(self, storage: Storage) -> None:
        await storage.put_player(make_player("Solo-1234"))
        await storage.put_player(make_player("Solo-9999"))
        await storage.put_player(make_player("ab%7Ccd", battletag="Solo-9999"))
        await storage.put_player(make_player("ef%7C01", battletag=None))
        assert await storage.get_player("Solo-1234") is not None
        assert await storage.get_player("Solo-9999") is None
        assert (await storage.stats()).rows["player_profiles"] == 3

    async def test_rewriting_a_battletag_row_keeps_it(self, storage: Storage) -> None:
        await storage.put_player(make_player("Solo-1234", raw=b"v1"))
        await storage.put_player(make_player("Solo-1234", raw=b"v2"))
        stored = await storage.get_player("Solo-1234")
        assert stored is not None
        assert await read_raw(stored.raw) == b"v2"

    async def test_cleanup_deletes_battletag_rows_too(self, storage: Storage) -> None:
        await storage.put_player(make_player("Solo-1234", fetched_at=T0))
        assert await storage.delete_players_older_than(T0 + 1) == 1
        assert await storage.find_player_by_battletag("Solo-1234") is None


class TestUnknownPlayers:
    async def test_missing_is_none(self, storage: Storage) -> None:
        assert await storage.get_unknown_player("Nobody-1234") is None
        assert await storage.count_unknown_players() == 0

    async def test_round_trip_and_overwrite(self, storage: Storage) -> None:
        await storage.put_unknown_player(make_unknown())
        later = make_unknown(check_count=2, next_check_at=T0 + 1800, last_checked_at=T0 + 600)
        await storage.put_unknown_player(later)
        assert await storage.get_unknown_player(later.key) == later
        assert await storage.count_unknown_players() == 1

    async def test_clear_several_keys(self, storage: Storage) -> None:
        for key in ["A-1", "B-2", "C-3", "Ünï-4"]:
            await storage.put_unknown_player(make_unknown(key))
        await storage.clear_unknown_player("A-1", "Ünï-4", "never-stored")
        assert await storage.count_unknown_players() == 2
        assert await storage.get_unknown_player("A-1") is None
        assert await storage.get_unknown_player("Ünï-4") is None
        assert await storage.get_unknown_player("B-2") is not None

    async def test_clear_without_keys_does_nothing(self, storage: Storage) -> None:
        await storage.put_unknown_player(make_unknown())
        await storage.clear_unknown_player()
        assert await storage.count_unknown_players() == 1

    async def test_delete_due_before_removes_only_rows_due_before_the_cutoff(
        self, storage: Storage
    ) -> None:
        for key, due in [
            ("Long-1", T0 - 90_000),
            ("Just-2", T0 - 1),
            ("Now-3", T0),
            ("Later-4", T0 + 600),
        ]:
            await storage.put_unknown_player(make_unknown(key, next_check_at=due))
        await storage.put_player(make_player())

        assert await storage.delete_unknown_players_due_before(T0) == 2
        assert await storage.get_unknown_player("Long-1") is None
        assert await storage.get_unknown_player("Just-2") is None
        assert await storage.get_unknown_player("Now-3") is not None  # strictly before
        assert await storage.count_unknown_players() == 2
        assert await storage.get_player("a1b2c3d4|e5f6") is not None
        assert await storage.delete_unknown_players_due_before(T0) == 0

    async def test_many_keys_at_once(self, storage: Storage) -> None:
        keys = [f"Player-{i}" for i in range(1200)]
        for key in keys:
            await storage.put_unknown_player(make_unknown(key))
        await storage.clear_unknown_player(*keys[:1000])
        assert await storage.count_unknown_players() == 200


class TestStats:
    async def test_empty(self, storage: Storage) -> None:
        stats = await storage.stats()
        assert stats.size_bytes >= 0
        assert dict(stats.rows) == {"static_data": 0, "player_profiles": 0, "unknown_players": 0}

    async def test_counts_rows_and_bytes(self, storage: Storage) -> None:
        before = await storage.stats()
        await storage.put_static(make_static(raw=os.urandom(MB)))
        for key in ["a", "b"]:
            await storage.put_player(make_player(key))
        for key in ["x", "y", "z"]:
            await storage.put_unknown_player(make_unknown(key))
        stats = await storage.stats()
        assert dict(stats.rows) == {"static_data": 1, "player_profiles": 2, "unknown_players": 3}
        assert stats.size_bytes >= before.size_bytes + MB


class TestValueSemantics:
    async def test_mutating_a_returned_value_changes_nothing(self, storage: Storage) -> None:
        # A player's `parsed` is read-only (shared by the decoded-profile LRU, see
        # `PlayerRecord`); its search entry and a static page's `parsed` are the caller's.
        await storage.put_player(make_player())
        await storage.put_static(make_static())
        first = await storage.get_player("a1b2c3d4|e5f6")
        page = await storage.get_static("heroes:en-us")
        assert first is not None
        assert page is not None
        first.search_entry["battleTag"] = "changed"
        page.parsed[0]["name"] = "changed"
        assert await storage.get_player("a1b2c3d4|e5f6") == make_player()
        assert await storage.get_static("heroes:en-us") == make_static()

    async def test_a_profile_read_after_a_write_or_a_move_is_the_new_one(
        self, storage: Storage
    ) -> None:
        # Read first, so an adapter keeping decoded profiles holds the old value.
        await storage.put_player(make_player("Solo-1234", parsed={"v": 1}))
        assert (await storage.get_player("Solo-1234") or make_player()).parsed == {"v": 1}
        await storage.put_player(make_player("Solo-1234", parsed={"v": 2}))
        assert (await storage.get_player("Solo-1234") or make_player()).parsed == {"v": 2}
        moved = make_player("ab%7Ccd", battletag="Solo-1234", parsed={"v": 3})
        await storage.put_player(moved)
        assert await storage.get_player("Solo-1234") is None
        assert await storage.find_player_by_battletag("Solo-1234") == moved
        await storage.put_player(make_player("ab%7Ccd", battletag="Solo-1234", parsed={"v": 4}))
        again = await storage.find_player_by_battletag("Solo-1234")
        assert again is not None
        assert again.parsed == {"v": 4}

    async def test_a_read_profile_written_back_keeps_its_page(self, storage: Storage) -> None:
        # The refresh of an unchanged profile writes the record it read (a `RawPage`).
        await storage.put_player(make_player(raw=b"<html>page</html>", fetched_at=T0))
        stored = await storage.get_player("a1b2c3d4|e5f6")
        assert stored is not None
        await storage.put_player(replace(stored, fetched_at=T0 + 5))
        again = await storage.get_player("a1b2c3d4|e5f6")
        assert again is not None
        assert await read_raw(again.raw) == b"<html>page</html>"
        assert again == make_player(raw=b"<html>page</html>", fetched_at=T0 + 5)

    async def test_mutating_the_stored_value_afterwards_changes_nothing(
        self, storage: Storage
    ) -> None:
        record = make_static(parsed={"list": [1, 2]})
        await storage.put_static(record)
        record.parsed["list"].append(3)
        stored = await storage.get_static(record.key)
        assert stored is not None
        assert stored.parsed == {"list": [1, 2]}

    async def test_values_come_back_as_json_would_return_them(self, storage: Storage) -> None:
        await storage.put_static(make_static(parsed={"pair": (1, 2), 3: "int key"}))
        stored = await storage.get_static("heroes:en-us")
        assert stored is not None
        assert stored.parsed == {"pair": [1, 2], "3": "int key"}

    async def test_timestamps_come_back_as_floats(self, storage: Storage) -> None:
        await storage.put_static(make_static(fetched_at=1))
        await storage.put_player(make_player(fetched_at=2))
        await storage.put_unknown_player(UnknownPlayer("k", 1, 3, 4))
        static = await storage.get_static("heroes:en-us")
        player = await storage.get_player("a1b2c3d4|e5f6")
        unknown = await storage.get_unknown_player("k")
        assert static is not None
        assert player is not None
        assert unknown is not None
        values = [static.fetched_at, player.fetched_at, unknown.next_check_at]
        assert [type(v) for v in [*values, unknown.last_checked_at]] == [float] * 4

    async def test_non_json_parsed_is_refused_and_nothing_stored(self, storage: Storage) -> None:
        with pytest.raises(TypeError):
            await storage.put_static(make_static(parsed={"bad": object()}))
        with pytest.raises(TypeError):
            await storage.put_player(make_player(search_entry={1, 2}))
        assert await storage.get_static("heroes:en-us") is None
        assert await storage.get_player("a1b2c3d4|e5f6") is None


class TestUnreadableRows:
    """A row that cannot be decoded reads as absent, is reported, and a put replaces it."""

    async def test_static_row_is_absent_reported_and_replaced(
        self, storage: Storage, decode_errors: list[str]
    ) -> None:
        await storage.put_static(make_static())
        await storage.put_static(make_static("maps:all"))
        await damage(storage, "static_data", "heroes:en-us")

        assert await storage.get_static("heroes:en-us") is None
        assert decode_errors == ["static_data"]
        assert await storage.get_static("maps:all") == make_static("maps:all")

        await storage.put_static(make_static(parser_version=2))
        assert await storage.get_static("heroes:en-us") == make_static(parser_version=2)
        assert decode_errors == ["static_data"]

    @pytest.mark.parametrize("column", ["parsed", "search_entry"])
    async def test_player_row_is_absent_by_id_and_battletag_then_replaced(
        self, storage: Storage, decode_errors: list[str], column: str
    ) -> None:
        await storage.put_player(make_player())
        await damage(storage, "player_profiles", "a1b2c3d4|e5f6", column)

        assert await storage.get_player("a1b2c3d4|e5f6") is None
        assert await storage.find_player_by_battletag("Player-1234") is None
        assert decode_errors == ["player_profiles", "player_profiles"]

        await storage.put_player(make_player())
        assert await storage.get_player("a1b2c3d4|e5f6") == make_player()


class TestLifecycle:
    async def test_warm_up_reads_but_changes_nothing(self, storage: Storage) -> None:
        await storage.warm_up()  # empty
        await storage.put_static(make_static())
        await storage.put_player(make_player())
        await storage.put_unknown_player(make_unknown())

        await storage.warm_up()

        assert await storage.get_static("heroes:en-us") == make_static()
        assert await storage.get_player("a1b2c3d4|e5f6") == make_player()
        assert await storage.get_unknown_player(make_unknown().key) == make_unknown()
        assert (await storage.stats()).rows == {
            "static_data": 1,
            "player_profiles": 1,
            "unknown_players": 1,
        }

    async def test_close_twice_is_harmless(self, storage: Storage) -> None:
        await storage.close()
        await storage.close()

    async def test_use_after_close_raises(self, storage: Storage) -> None:
        await storage.close()
        with pytest.raises(StorageClosedError):
            await storage.warm_up()
        with pytest.raises(StorageClosedError):
            await storage.get_static("k")
        with pytest.raises(StorageClosedError):
            await storage.put_player(make_player())
        with pytest.raises(StorageClosedError):
            await storage.clear_unknown_player()
        with pytest.raises(StorageClosedError):
            await storage.stats()
