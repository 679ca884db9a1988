"""Player search parser and `/players` body, checked against OverFast's expected answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.devtools.fixtures import fixtures_dir
from app.domain.errors import ParseError
from app.domain.player_ids import blizzard_id_from_career_url
from app.parsers.search import parse_search, search_players
from tests.conftest import Pages

BASE = "https://overfast-api.tekrop.fr"
SAMPLE = "en-us/search/account-by-name/_sample.json"
TEKROP_ID = "c65b8798bc61d6ffbba120%7Ccfe9dd77a4382165e2b920bdcc035949"


def _expected_files() -> list[str]:
    folder = fixtures_dir() / "expected"
    return sorted(p.name for p in folder.glob("players__*.json")) if folder.is_dir() else []


def _query(file_name: str) -> dict[str, str]:
    """`players__name=Dekk__limit=5.json` → `{"name": "Dekk", "limit": "5"}`."""
    pairs = file_name.removeprefix("players__").removesuffix(".json").split("__")
    return dict(pair.split("=", 1) for pair in pairs)


def _search(entries: list[dict[str, Any]], query: dict[str, str], **extra: Any) -> Any:
    return search_players(
        entries,
        name=query["name"],
        order_by=query.get("order_by", "name:asc"),
        offset=int(query.get("offset", "0")),
        limit=int(query.get("limit", "20")),
        app_base_url=BASE,
        **extra,
    )


@pytest.mark.parametrize("file_name", _expected_files())
def test_matches_overfast_expected(pages: Pages, file_name: str) -> None:
    query = _query(file_name)
    expected = pages.expected(file_name)
    assert expected["status"] == 200
    body = expected["body"]
    for player in body["results"]:
        if player["player_id"] == query["name"] and "-" in query["name"]:
            # Deliberate difference (contract §10.2 item 10): without a verified
            # BattleTag → Blizzard ID mapping we never echo the query as player_id.
            player["player_id"] = player["blizzard_id"]
            player["career_url"] = f"{BASE}/players/{player['blizzard_id']}"
    assert _search(parse_search(pages.blizzard(SAMPLE)), query) == body


def test_verified_battletag_matches_overfast(pages: Pages) -> None:
    """With the mapping the captured site's career redirect gives, we answer like OverFast."""
    manifest = json.loads((pages.root / "blizzard" / "manifest.json").read_text("utf-8"))
    location = next(
        r["location"] for r in manifest["routes"] if r["path"] == "/en-us/career/TeKrop-2217/"
    )
    blizzard_id = blizzard_id_from_career_url(location)
    assert blizzard_id == TEKROP_ID
    verified = {"TeKrop-2217": blizzard_id.replace("%7C", "|")}  # either form is accepted
    body = _search(parse_search(pages.blizzard(SAMPLE)), {"name": "TeKrop-2217"}, verified=verified)
    assert body == pages.expected("players__name=TeKrop-2217.json")["body"]


def test_empty_capture(pages: Pages) -> None:
    entries = parse_search(pages.blizzard("en-us/search/account-by-name/_empty.json"))
    assert entries == []
    assert _search(entries, {"name": "Unknown"}) == {"total": 0, "results": []}


def test_sample_normalisation(pages: Pages) -> None:
    entries = parse_search(pages.blizzard(SAMPLE))
    assert len(entries) == 15
    assert entries[1] == {
        "name": "TeKrop",
        "blizzard_id": TEKROP_ID,
        "battletag": None,  # today's search does not name BattleTags
        "is_public": True,
        "last_updated": 1678536999,
        "avatar": "https://d15f34w2p8l1cc.cloudfront.net/overwatch/e7f20bca334f65b2eaa9a53fd7d306e5bfae55e8dab25e525e55dbbc7992124c.png",
        "namecard": "https://d15f34w2p8l1cc.cloudfront.net/overwatch/59fd62bca585b43d480d8c4868f40309e1eda3d1a73955f1396847d9d562aad8.png",
        "title": "Harbinger",
    }
    assert entries[2]["title"] is None  # "" → None
    assert entries[2]["namecard"] is None  # absent → None


def _raw(**fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": "Ana", "isPublic": True, "lastUpdated": 5, "url": "a|b"}
    entry.update(fields)
    return entry


def _parse(*raw: dict[str, Any]) -> list[dict[str, Any]]:
    return parse_search(json.dumps(list(raw)).encode())


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ({"en_US": "Harbinger", "fr_FR": "Prophète"}, "Harbinger"),
        ({"fr_FR": "Prophète"}, None),
        ("Plain", "Plain"),
        ("", None),
        ("No Title", None),
        ({"en_US": "No Title"}, None),
        (None, None),
        (42, None),
    ],
)
def test_title(title: object, expected: str | None) -> None:
    assert _parse(_raw(title=title))[0]["title"] == expected


def test_legacy_portrait_entry_drops_avatar_namecard_title() -> None:
    (entry,) = _parse(_raw(portrait="p.png", avatar="a.png", namecard="n.png", title="T"))
    assert (entry["avatar"], entry["namecard"], entry["title"]) == (None, None, None)


@pytest.mark.parametrize("url", ["a|b", "a%7cb", "a%7Cb"])
def test_blizzard_id_is_normalised(url: str) -> None:
    assert _parse(_raw(url=url))[0]["blizzard_id"] == "a%7Cb"


@pytest.mark.parametrize(
    ("battle_tag", "expected"),
    [
        ("Ana#1234", "Ana-1234"),
        ("Лёша#42", "Лёша-42"),
        ("Ana", None),
        ("Ana#", None),
        ("#1234", None),
        ("Ana#12a", None),
        (1234, None),
        (None, None),
    ],
)
def test_battletag_is_read_when_blizzard_names_it(battle_tag: object, expected: str | None) -> None:
    assert _parse(_raw(battleTag=battle_tag))[0]["battletag"] == expected


def test_wrongly_typed_optional_fields_become_none() -> None:
    (entry,) = _parse(_raw(isPublic="yes", lastUpdated=True, avatar=3, namecard=""))
    assert entry["is_public"] is None
    assert entry["last_updated"] is None
    assert (entry["avatar"], entry["namecard"]) == (None, None)


def test_bad_entries_are_skipped_when_others_are_usable() -> None:
    raw: list[Any] = [_raw(), "x", None, {"name": "NoUrl"}, _raw(url=7), _raw(name=""), _raw()]
    assert len(parse_search(json.dumps(raw))) == 2


@pytest.mark.parametrize(
    ("payload", "section"),
    [
        ("<html>", "json"),
        (b"\xff\xfe[", "json"),
        ('[{"name": NaN}]', "json"),
        ("[" * 100_000, "json"),
        ('{"name": "Ana"}', "root"),
        ("null", "root"),
        ('[1, "x", {"name": "Ana"}]', "entries"),
    ],
)
def test_malformed_payload_raises(payload: str | bytes, section: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_search(payload)
    assert (info.value.page_type, info.value.section) == ("search", section)


# --- search_players on synthetic entries ---------------------------------------------------

PLAYERS = _parse(
    _raw(name="Ana", url="c|3", lastUpdated=30),
    _raw(name="Ana", url="a|1", lastUpdated=None),
    _raw(name="Ana", url="b|2", lastUpdated=10),
    _raw(name="Ana", url="d|4", isPublic=False),
    _raw(name="ana", url="e|5"),
    _raw(name="Bob", url="f|6"),
)


def _ids(body: dict[str, Any]) -> list[str]:
    return [player["blizzard_id"] for player in body["results"]]


def test_only_public_exact_name_matches() -> None:
    body = _search(PLAYERS, {"name": "Ana"})
    assert body["total"] == 3
    assert sorted(_ids(body)) == ["a%7C1", "b%7C2", "c%7C3"]
    assert _search(PLAYERS, {"name": "ANA"})["total"] == 0  # case-sensitive, like OverFast


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        ("player_id:asc", ["a%7C1", "b%7C2", "c%7C3"]),
        ("player_id:desc", ["c%7C3", "b%7C2", "a%7C1"]),
        ("name:asc", ["c%7C3", "a%7C1", "b%7C2"]),  # equal names keep Blizzard's order
        ("name:desc", ["c%7C3", "a%7C1", "b%7C2"]),
        ("last_updated_at:asc", ["b%7C2", "c%7C3", "a%7C1"]),  # null last
        ("last_updated_at:desc", ["c%7C3", "b%7C2", "a%7C1"]),  # null last too
    ],
)
def test_every_order_by(order_by: str, expected: list[str]) -> None:
    assert _ids(_search(PLAYERS, {"name": "Ana", "order_by": order_by})) == expected


@pytest.mark.parametrize(
    ("offset", "limit", "expected"),
    [
        (0, 1, ["a%7C1"]),
        (1, 1, ["b%7C2"]),
        (1, 20, ["b%7C2", "c%7C3"]),
        (3, 5, []),
        (50, 1, []),
    ],
)
def test_pagination_keeps_total(offset: int, limit: int, expected: list[str]) -> None:
    query = {"name": "Ana", "order_by": "player_id:asc", "offset": str(offset)}
    body = _search(PLAYERS, query | {"limit": str(limit)})
    assert (body["total"], _ids(body)) == (3, expected)


def test_unverified_battletag_is_never_echoed() -> None:
    # OverFast echoes "Bob-1234" for a single name match even if Bob's discriminator differs.
    body = _search(PLAYERS, {"name": "Bob-1234"})
    assert [p["player_id"] for p in body["results"]] == ["f%7C6"]
    other = _search(PLAYERS, {"name": "Bob-1234"}, verified={"Bob-1234": "z|9"})
    assert [p["player_id"] for p in other["results"]] == ["f%7C6"]


def test_verified_battletag_labels_only_its_entry() -> None:
    verified = {"Ana-42": "b%7c2", "Ana": "a|1"}
    body = _search(PLAYERS, {"name": "Ana-42", "order_by": "player_id:asc"}, verified=verified)
    assert [p["player_id"] for p in body["results"]] == ["Ana-42", "a%7C1", "c%7C3"]
    assert body["results"][0]["career_url"] == f"{BASE}/players/Ana-42"
    # A bare name is not a BattleTag: never echoed, even if present in the mapping.
    bare = _search(PLAYERS, {"name": "Ana", "order_by": "player_id:asc"}, verified=verified)
    assert _ids(bare) == [p["player_id"] for p in bare["results"]]


def test_career_url_ignores_trailing_slash_of_base() -> None:
    body = search_players(
        PLAYERS, name="Bob", order_by="name:asc", offset=0, limit=1, app_base_url=f"{BASE}/"
    )
    assert body["results"][0]["career_url"] == f"{BASE}/players/f%7C6"


@pytest.mark.parametrize(
    ("order_by", "offset", "limit"),
    [
        ("name", 0, 1),
        ("name:up", 0, 1),
        ("title:asc", 0, 1),
        ("name:asc", -1, 1),
        ("name:asc", 0, 0),
    ],
)
def test_invalid_arguments(order_by: str, offset: int, limit: int) -> None:
    with pytest.raises(ValueError, match=r"order_by|offset"):
        search_players(
            PLAYERS, name="Ana", order_by=order_by, offset=offset, limit=limit, app_base_url=BASE
        )
