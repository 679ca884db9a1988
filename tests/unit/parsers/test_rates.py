"""Hero pick/win rates parser and `/heroes/stats` body, checked against OverFast's answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.devtools.fixtures import fixtures_dir
from app.domain.enums import (
    CompetitiveDivisionFilter,
    PlayerGamemode,
    PlayerPlatform,
    PlayerRegion,
)
from app.domain.errors import ParseError
from app.parsers.rates import (
    RQ_CANDIDATES,
    hero_stats,
    parse_rates,
    rates_query,
    selection_mismatch,
)
from tests.conftest import Pages

CAPTURE = "en-us/rates/data/_competitive-console-europe-master.json"
REQUIRED = ("platform", "gamemode", "region")


def _expected_files() -> list[str]:
    folder = fixtures_dir() / "expected"
    return sorted(p.name for p in folder.glob("heroes_stats__*.json")) if folder.is_dir() else []


def _query(file_name: str) -> dict[str, str]:
    pairs = file_name.removeprefix("heroes_stats__").removesuffix(".json").split("__")
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def _answer(payload: str, query: dict[str, str]) -> tuple[int, Any]:
    """What the service does with these helpers: try each `rq`, check the echo, build."""
    parsed = parse_rates(payload)
    gamemode = query["gamemode"]
    for rq in RQ_CANDIDATES[gamemode]:
        sent = rates_query(
            platform=query["platform"],
            gamemode=gamemode,
            region=query["region"],
            map_key=query.get("map"),
            competitive_division=query.get("competitive_division"),
            rq=rq,
        )
        mismatch = selection_mismatch(sent, parsed["selected"])
        if mismatch == "rq":
            continue
        if mismatch == "map":
            message = f"Selected map '{query['map']}' is not compatible with '{gamemode}' gamemode."
            return 400, {"error": message}
        # Other mismatches (input, region, tier) are logged only: the capture echoes its own.
        order_by = query.get("order_by", "hero:asc")
        return 200, hero_stats(parsed["rates"], role=query.get("role"), order_by=order_by)
    return 500, None  # no candidate confirmed: the service answers its generic 500 body


@pytest.mark.parametrize("file_name", [f for f in _expected_files() if "=" in f])
def test_matches_overfast_expected(pages: Pages, file_name: str) -> None:
    # All files share the single capture, so only role and order_by change the body here;
    # the quickplay file is a 500 because the capture echoes rq=1, never the quickplay "0".
    expected = pages.expected(file_name)
    status, body = _answer(pages.blizzard(CAPTURE), _query(file_name))
    assert status == expected["status"]
    if status != 500:
        assert body == expected["body"]


def test_noparams_is_request_validation(pages: Pages) -> None:
    # The 422 comes from the router's validation; this pins the required parameters.
    expected = pages.expected("heroes_stats__noparams.json")
    assert expected["status"] == 422
    assert [d["loc"][1] for d in expected["body"]["detail"]] == list(REQUIRED)


def test_capture(pages: Pages) -> None:
    parsed = parse_rates(pages.blizzard(CAPTURE).encode())
    assert parsed["selected"] == {
        "input": "Console",
        "map": "all-maps",
        "region": "Europe",
        "role": "All",
        "rq": "1",
        "tier": "Master",
    }
    assert len(parsed["rates"]) == 44
    assert parsed["rates"][0] == {
        "hero": "ana",
        "pickrate": 22.3,
        "winrate": 43.1,
        "role": "support",
    }
    orisa = next(rate for rate in parsed["rates"] if rate["hero"] == "orisa")
    assert (orisa["pickrate"], orisa["winrate"]) == (0.0, 0.0)  # Blizzard's -1
    assert all(isinstance(rate["pickrate"], float) for rate in parsed["rates"])
    assert {rate["role"] for rate in parsed["rates"]} == {"damage", "support", "tank"}


def _row(key: str, pick: Any, win: Any, role: str = "DAMAGE") -> dict[str, Any]:
    return {"id": key, "cells": {"pickrate": pick, "winrate": win}, "hero": {"role": role}}


ROWS = [
    _row("zed", 5, 50.5, "TANK"),
    _row("new-hero", 5, -1, "HYBRID"),  # unknown key and role: must flow through
    _row("ana", 10.0, 50.5, "SUPPORT"),
]
RATES = parse_rates(json.dumps({"rates": {"selected": {"rq": 1}, "rates": ROWS}}))["rates"]


def test_older_unwrapped_form() -> None:
    parsed = parse_rates(json.dumps({"selected": {"rq": "0"}, "rates": ROWS, "extrema": {}}))
    assert parsed["selected"] == {"rq": "0"}
    assert parsed["rates"] == RATES


def test_new_hero_and_role_are_kept() -> None:
    assert RATES[1] == {"hero": "new-hero", "pickrate": 5.0, "winrate": 0.0, "role": "hybrid"}


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        ("hero:asc", ["ana", "new-hero", "zed"]),
        ("hero:desc", ["zed", "new-hero", "ana"]),
        ("pickrate:asc", ["new-hero", "zed", "ana"]),  # ties keep hero-key order
        ("pickrate:desc", ["ana", "new-hero", "zed"]),
        ("winrate:asc", ["new-hero", "ana", "zed"]),
        ("winrate:desc", ["ana", "zed", "new-hero"]),
    ],
)
def test_every_order_by(order_by: str, expected: list[str]) -> None:
    items = hero_stats(RATES, role=None, order_by=order_by)
    assert [item["hero"] for item in items] == expected
    assert set(items[0]) == {"hero", "pickrate", "winrate"}


@pytest.mark.parametrize(("role", "heroes"), [("tank", ["zed"]), ("support", ["ana"]), ("x", [])])
def test_role_filter(role: str, heroes: list[str]) -> None:
    assert [i["hero"] for i in hero_stats(RATES, role=role, order_by="hero:asc")] == heroes


@pytest.mark.parametrize("order_by", ["hero", "hero:invalid", "pickrate:asc:extra", "name:asc"])
def test_invalid_order_by(order_by: str) -> None:
    with pytest.raises(ValueError, match="order_by"):
        hero_stats(RATES, role=None, order_by=order_by)


@pytest.mark.parametrize(
    ("payload", "section"),
    [
        ("<html>", "json"),
        (b"\xff", "json"),
        ('{"selected": {}, "rates": [], "x": NaN}', "json"),
        ("[]", "root"),
        ('{"rates": {"rates": []}}', "selected"),
        ('{"rates": {"selected": {}}}', "rates"),
        ('{"rates": {"selected": {}, "rates": {}}}', "rates"),
        ('{"selected": {}, "rates": [1]}', "rates[0]"),
        ('{"selected": {}, "rates": [{"cells": {}, "hero": {}}]}', "rates[0]"),
    ],
)
def test_malformed_payload_raises(payload: str | bytes, section: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_rates(payload)
    assert (info.value.page_type, info.value.section) == ("rates", section)


@pytest.mark.parametrize(
    "row",
    [
        {"id": "ana", "hero": {"role": "SUPPORT"}},
        {"id": "ana", "cells": {"pickrate": 1, "winrate": 1}, "hero": {}},
        _row("ana", "12%", 1),
        _row("ana", 1, None),
        _row("ana", True, 1),
    ],
)
def test_malformed_row_raises(row: dict[str, Any]) -> None:
    with pytest.raises(ParseError, match="ana"):
        parse_rates(json.dumps({"selected": {}, "rates": [_row("zed", 1, 1), row]}))


def test_rq_candidates() -> None:
    assert dict(RQ_CANDIDATES) == {"quickplay": ("0",), "competitive": ("1", "2")}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("pc", "quickplay", "europe", None, None, "0"),
            {"input": "PC", "rq": "0", "region": "Europe", "map": "all-maps"},
        ),
        (
            ("console", "competitive", "asia", "kings-row", None, "2"),
            {"input": "Console", "rq": "2", "region": "Asia", "map": "kings-row", "tier": "All"},
        ),
        (
            ("pc", "competitive", "americas", None, "grandmaster", "1"),
            {
                "input": "PC",
                "rq": "1",
                "region": "Americas",
                "map": "all-maps",
                "tier": "Grandmaster",
            },
        ),
        (  # a division is ignored outside competitive, as Blizzard has no tier there
            ("pc", "quickplay", "asia", None, "gold", "0"),
            {"input": "PC", "rq": "0", "region": "Asia", "map": "all-maps"},
        ),
    ],
)
def test_rates_query(args: tuple[Any, ...], expected: dict[str, str]) -> None:
    platform, gamemode, region, map_key, division, rq = args
    query = rates_query(
        platform=platform,
        gamemode=gamemode,
        region=region,
        map_key=map_key,
        competitive_division=division,
        rq=rq,
    )
    assert query == expected


def test_rates_query_accepts_enum_members() -> None:
    query = rates_query(
        platform=PlayerPlatform.CONSOLE,
        gamemode=PlayerGamemode.COMPETITIVE,
        region=PlayerRegion.AMERICAS,
        map_key=None,
        competitive_division=CompetitiveDivisionFilter.DIAMOND,
        rq="1",
    )
    assert query == {
        "input": "Console",
        "rq": "1",
        "region": "Americas",
        "map": "all-maps",
        "tier": "Diamond",
    }
    assert all(type(value) is str for value in query.values())


@pytest.mark.parametrize(
    ("platform", "gamemode", "region"),
    [("xbox", "quickplay", "europe"), ("pc", "arcade", "europe"), ("pc", "quickplay", "mars")],
)
def test_rates_query_rejects_unknown_values(platform: str, gamemode: str, region: str) -> None:
    with pytest.raises(ValueError, match="Unknown"):
        rates_query(
            platform=platform,
            gamemode=gamemode,
            region=region,
            map_key=None,
            competitive_division=None,
            rq="0",
        )


SENT = {"input": "PC", "rq": "1", "region": "Europe", "map": "hanaoka", "tier": "All"}


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        (SENT, None),
        ({k: v.upper() for k, v in SENT.items()}, None),  # case-insensitive
        (SENT | {"rq": "2"}, "rq"),
        ({k: v for k, v in SENT.items() if k != "rq"}, "rq"),  # rq must be confirmed
        (SENT | {"rq": "2", "map": "all-maps"}, "rq"),  # rq first: try the next candidate
        (SENT | {"map": "all-maps"}, "map"),
        (SENT | {"map": "all-maps", "input": "Console"}, "map"),
        ({k: v for k, v in SENT.items() if k != "map"}, None),  # other missing echoes: no opinion
        (SENT | {"input": "Console"}, "input"),
        (SENT | {"tier": "Master", "role": "All"}, "tier"),
    ],
)
def test_selection_mismatch(selected: dict[str, str], expected: str | None) -> None:
    assert selection_mismatch(SENT, selected) == expected
