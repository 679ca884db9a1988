"""Search entries are tied to a player only when Blizzard itself ties them."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.player_matching import match_entry, single_public_id, tied_entry


def entry(name: str, blizzard_id: str, battletag: str | None = None) -> dict[str, Any]:
    return {"name": name, "blizzard_id": blizzard_id, "battletag": battletag, "is_public": True}


def test_tied_by_battletag_field() -> None:
    entries = [entry("Ana", "a%7C1", "Ana-1"), entry("Ana", "b%7C2", "Ana-2")]
    assert tied_entry(entries, "Ana-2") == entries[1]


def test_tied_by_a_url_that_is_the_battletag() -> None:
    entries = [entry("Ana", "Ana-1"), entry("Ana", "b%7C2")]
    assert tied_entry(entries, "Ana-1") == entries[0]


@pytest.mark.parametrize(
    "entries",
    [
        [],
        [entry("Ana", "a%7C1"), entry("Ana", "b%7C2")],  # names only: never a guess
        [entry("Ana", "a%7C1", "Ana-1"), entry("Ana", "b%7C2", "Ana-1")],  # two accounts
        [entry("Ana", "a%7C1", "Ana-11")],
    ],
    ids=["empty", "names-only", "ambiguous", "other-number"],
)
def test_not_tied(entries: list[dict[str, Any]]) -> None:
    assert tied_entry(entries, "Ana-1") is None


def test_one_account_listed_twice_is_still_one() -> None:
    entries = [entry("Ana", "a%7C1", "Ana-1"), entry("Ana", "a%7C1", "Ana-1")]
    assert tied_entry(entries, "Ana-1") == entries[0]


def test_match_entry_prefers_the_expected_name() -> None:
    entries = [entry("Old", "a%7C1"), entry("Ana", "a%7C1"), entry("Ana", "b%7C2")]
    assert match_entry(entries, "a%7C1", "Ana") == entries[1]
    assert match_entry(entries, "a%7C1", "Renamed") == entries[0]
    assert match_entry(entries, "c%7C3", "Ana") is None


def test_single_public_id_needs_one_public_blizzard_id() -> None:
    assert single_public_id([entry("Ana", "a%7C1")], "Ana") == "a%7C1"
    assert single_public_id([entry("Ana", "a%7C1"), entry("Ana", "b%7C2")], "Ana") is None
    assert single_public_id([entry("Ana", "Ana-1")], "Ana") is None  # not a Blizzard ID
    private = {**entry("Ana", "a%7C1"), "is_public": False}
    assert single_public_id([private], "Ana") is None
