"""Player identity helpers: classification, validation, upstream paths, unknown-player backoff."""

from __future__ import annotations

import json

import pytest

from app.domain.player_ids import (
    PlayerId,
    PlayerIdKind,
    blizzard_id_from_career_url,
    career_path,
    normalize_blizzard_id,
    parse_player_id,
    search_path,
    unknown_player_backoff,
)
from tests.conftest import Pages

TEKROP_ID = "c65b8798bc61d6ffbba120%7Ccfe9dd77a4382165e2b920bdcc035949"
TEKROP_PIPE = TEKROP_ID.replace("%7C", "|")


def test_battletag() -> None:
    pid = parse_player_id("TeKrop-2217")
    assert pid == PlayerId(
        raw="TeKrop-2217", kind=PlayerIdKind.BATTLETAG, name="TeKrop", battletag="TeKrop-2217"
    )


@pytest.mark.parametrize(
    ("raw", "name"),
    [("Лёша-1234", "Лёша"), ("테스트-123", "테스트"), ("ส้ม-42", "ส้ม"), ("Ünïcødé9-1", "Ünïcødé9")],
)
def test_battletags_in_other_scripts(raw: str, name: str) -> None:
    pid = parse_player_id(raw)
    assert (pid.kind, pid.name, pid.battletag) == (PlayerIdKind.BATTLETAG, name, raw)


def test_bare_name_including_non_ascii() -> None:
    assert parse_player_id("TeKrop") == PlayerId("TeKrop", PlayerIdKind.NAME, name="TeKrop")
    assert parse_player_id("Лёша").name == "Лёша"


@pytest.mark.parametrize(
    "raw",
    [TEKROP_PIPE, TEKROP_ID, TEKROP_ID.replace("%7C", "%7c")],
    ids=["pipe", "%7C", "%7c"],
)
def test_blizzard_id_forms_normalise_to_7c(raw: str) -> None:
    pid = parse_player_id(raw)
    assert pid.kind is PlayerIdKind.BLIZZARD_ID
    assert pid.blizzard_id == TEKROP_ID
    assert (pid.name, pid.battletag, pid.raw) == (None, None, raw)


def test_blizzard_id_keeps_hex_case() -> None:
    assert parse_player_id("ABCdef|0123").blizzard_id == "ABCdef%7C0123"


def test_hex_without_separator_is_a_name() -> None:
    assert parse_player_id("deadbeef").kind is PlayerIdKind.NAME


def test_normalize_blizzard_id() -> None:
    assert normalize_blizzard_id("ab|cd") == normalize_blizzard_id("ab%7ccd") == "ab%7Ccd"
    assert normalize_blizzard_id("ab%7Ccd") == "ab%7Ccd"


def test_64_characters_is_accepted() -> None:
    assert parse_player_id("a" * 64).name == "a" * 64


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a" * 65, "at most 64"),
        ("Te\x00Krop", "control"),
        ("TeKrop\n-2217", "control"),
        ("Te\x7fKrop", "control"),
        ("TeKrop\u0085", "control"),
        ("../etc", "BattleTag"),
        ("a\\b", "BattleTag"),
        ("-2217", "BattleTag"),
        ("TeKrop-", "BattleTag"),
        ("Name-12-34", "BattleTag"),
        ("Name-12a", "BattleTag"),
        ("Name-１２", "BattleTag"),  # fullwidth digits: a BattleTag number is ASCII
        (".", "BattleTag"),
        ("..", "BattleTag"),
        ("..-1234", "BattleTag"),
        ("%2e%2e", "BattleTag"),
        ("Te.Krop", "BattleTag"),
        ("a b", "BattleTag"),
        ("a?b#c", "BattleTag"),
        ("100%-1", "BattleTag"),
        ("a_b", "BattleTag"),
        ("a\u2025b", "BattleTag"),  # two dot leader
        ("a\uff0eb", "BattleTag"),  # fullwidth full stop
        ("a\u3002b", "BattleTag"),  # ideographic full stop
        ("a\U0001f600", "BattleTag"),  # astral (an emoji)
        ("ab|cd|ef", "BattleTag"),
        ("ab|", "BattleTag"),
        ("ab%7C", "BattleTag"),
        ("xy|cd", "BattleTag"),
    ],
)
def test_absurd_input_is_rejected(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_player_id(raw)


@pytest.mark.parametrize(
    "url",
    [
        f"https://overwatch.blizzard.com/en-us/career/{TEKROP_ID}/",
        f"https://overwatch.blizzard.com/en-us/career/{TEKROP_ID}",
        f"/en-us/career/{TEKROP_ID}/",
        f"https://overwatch.blizzard.com/en-us/career/{TEKROP_PIPE}/",
        f"https://overwatch.blizzard.com/en-us/career/{TEKROP_ID.lower()}/?x=1",
    ],
)
def test_blizzard_id_from_career_url(url: str) -> None:
    assert blizzard_id_from_career_url(url) == TEKROP_ID


@pytest.mark.parametrize(
    "url",
    [
        "https://overwatch.blizzard.com/en-us/career/TeKrop-2217/",
        "https://overwatch.blizzard.com/en-us/search/",
        "https://overwatch.blizzard.com/en-us/career/",
        "",
    ],
)
def test_career_url_without_blizzard_id(url: str) -> None:
    assert blizzard_id_from_career_url(url) is None


def test_manifest_redirects_yield_blizzard_ids(pages: Pages) -> None:
    """Every BattleTag redirect of the captured site resolves to a `%7C` Blizzard ID."""
    manifest = json.loads((pages.root / "blizzard" / "manifest.json").read_text("utf-8"))
    redirects = [route for route in manifest["routes"] if route["status"] == 302]
    assert redirects
    for route in redirects:
        blizzard_id = blizzard_id_from_career_url(route["location"])
        assert blizzard_id is not None
        assert route["location"] == f"/en-us/career/{blizzard_id}/"


@pytest.mark.parametrize(
    "player_id", [TEKROP_PIPE, TEKROP_ID, TEKROP_ID.lower(), parse_player_id(TEKROP_PIPE)]
)
def test_career_path_for_blizzard_id_has_a_single_encoding(player_id: str | PlayerId) -> None:
    # `%7C` must not become `%257C` (OverFast normalises to `|` before quoting, so do we).
    assert career_path(player_id) == f"/en-us/career/{TEKROP_ID}/"


@pytest.mark.parametrize(
    ("player_id", "path"),
    [
        ("TeKrop-2217", "/en-us/career/TeKrop-2217/"),
        ("Лёша-1234", "/en-us/career/%D0%9B%D1%91%D1%88%D0%B0-1234/"),
        ("テスト", "/en-us/career/%E3%83%86%E3%82%B9%E3%83%88/"),
    ],
)
def test_career_path_quotes_everything(player_id: str, path: str) -> None:
    assert career_path(player_id) == path


@pytest.mark.parametrize("bad", ["a/b", "..", ".", "..-1234", "%2e%2e", "a%2Fb"])
def test_paths_reject_invalid_ids(bad: str) -> None:
    with pytest.raises(ValueError, match="BattleTag"):
        career_path(bad)
    with pytest.raises(ValueError, match="name"):
        search_path(bad)


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("TeKrop-2217", "/en-us/search/account-by-name/TeKrop/"),
        ("TeKrop", "/en-us/search/account-by-name/TeKrop/"),
        (parse_player_id("Dekk-1"), "/en-us/search/account-by-name/Dekk/"),
        ("Лёша", "/en-us/search/account-by-name/%D0%9B%D1%91%D1%88%D0%B0/"),
    ],
)
def test_search_path(name: str | PlayerId, path: str) -> None:
    assert search_path(name) == path


def test_search_path_refuses_blizzard_id() -> None:
    with pytest.raises(ValueError, match="name"):
        search_path(TEKROP_PIPE)
    with pytest.raises(ValueError, match="Blizzard ID"):
        search_path(parse_player_id(TEKROP_PIPE))


def test_backoff_schedule_with_default_settings() -> None:
    schedule = [
        unknown_player_backoff(count, initial=600, multiplier=3, maximum=21600)
        for count in range(1, 9)
    ]
    assert schedule == [600, 1800, 5400, 16200, 21600, 21600, 21600, 21600]


def test_backoff_with_other_settings() -> None:
    assert unknown_player_backoff(3, initial=10, multiplier=2, maximum=1000) == 40
    assert unknown_player_backoff(5, initial=10, multiplier=1, maximum=1000) == 10
    assert unknown_player_backoff(1, initial=900, multiplier=3, maximum=300) == 300


def test_backoff_huge_count_is_capped_quickly() -> None:
    assert unknown_player_backoff(10**9, initial=600, multiplier=3, maximum=21600) == 21600


@pytest.mark.parametrize(
    ("count", "initial", "multiplier", "maximum"),
    [(0, 600, 3, 21600), (-1, 600, 3, 21600), (1, 0, 3, 21600), (1, 600, 0, 21600), (1, 600, 3, 0)],
)
def test_backoff_rejects_invalid_arguments(
    count: int, initial: int, multiplier: int, maximum: int
) -> None:
    with pytest.raises(ValueError, match=r"check_count|positive"):
        unknown_player_backoff(count, initial=initial, multiplier=multiplier, maximum=maximum)
