"""Hero page parser, checked against OverFast's expected `/heroes/{key}` answers."""

from __future__ import annotations

import doctest
from collections.abc import Callable
from typing import Any

import pytest

from app.devtools.fixtures import fixtures_dir
from app.domain.errors import NotFoundError, ParseError
from app.parsers import hero
from app.parsers.hero import parse_hero
from tests.conftest import Pages
from tests.unit.parsers._mangling import attempt, mutations, rename_class, replaced, without

SITE = "https://overwatch.blizzard.com"
HEROES_DIR = "en-us/heroes"
# Fields the service adds itself (portrait from the heroes list, hit points from curated data).
ADDED_BY_SERVICE = ("portrait", "hitpoints")
READ_CLASSES = (
    "main-content",
    "abilities-container",
    "role",
    "subrole",
    "location",
    "birthday",
    "perk-category",
    "minor",
    "major",
    "perk-details",
    "perk-info",
    "stadium-wrapper",
    "talent-card",
    "talent-name",
    "talent-desc",
    "lore",
)


def _hero_keys() -> list[str]:
    """Every captured hero page (parametrisation happens before the `pages` fixture)."""
    folder = fixtures_dir() / "blizzard" / HEROES_DIR
    return sorted(page.parent.name for page in folder.glob("*/index.html"))


def _parse(html: str, locale: str = "en-us", site_url: str = SITE) -> dict[str, Any]:
    return parse_hero(html, locale=locale, site_url=site_url)


@pytest.fixture
def ana(pages: Pages) -> str:
    return pages.blizzard(f"{HEROES_DIR}/ana/index.html")


def test_every_captured_hero_page_is_checked(pages: Pages) -> None:
    listed = sorted(
        entry.name
        for entry in (pages.root / "blizzard" / HEROES_DIR).iterdir()
        if (entry / "index.html").is_file()
    )

    assert listed, "no hero page captured"
    assert listed == _hero_keys()
    assert all((pages.root / "expected" / f"heroes_{key}.json").is_file() for key in listed)


@pytest.mark.parametrize("key", _hero_keys())
def test_matches_overfast_field_for_field(pages: Pages, key: str) -> None:
    expected = pages.expected(f"heroes_{key}.json")
    assert expected["status"] == 200
    body = {
        field: value for field, value in expected["body"].items() if field not in ADDED_BY_SERVICE
    }

    parsed = _parse(pages.blizzard(f"{HEROES_DIR}/{key}/index.html"))

    assert list(parsed) == list(body)  # same fields, same order
    assert [field for field in body if parsed[field] != body[field]] == []


def test_blizzard_404_page_is_not_found(pages: Pages) -> None:
    expected = pages.expected("special/heroes_ana__upstream404.json")

    with pytest.raises(NotFoundError) as caught:
        _parse(pages.blizzard(f"{HEROES_DIR}/_not-found.html"))

    assert {"error": caught.value.message} == expected["body"]


def test_complete_page_without_abilities_is_an_unreleased_hero(ana: str) -> None:
    with pytest.raises(NotFoundError):
        _parse(without(ana, "div.abilities-container"))


def test_truncated_404_page_is_a_parse_error_not_a_missing_hero(pages: Pages) -> None:
    page = pages.blizzard(f"{HEROES_DIR}/_not-found.html")

    with pytest.raises(ParseError) as caught:
        _parse(page[: len(page) // 2])

    assert caught.value.section == "document"


BREAKAGES: list[tuple[str, Callable[[str], str], str]] = [
    ("empty", lambda page: "", "document"),
    ("cut in half", lambda page: page[: len(page) // 2], "document"),
    ("no main content", lambda page: without(page, "main"), "main-content"),
    (
        "page header removed",
        lambda page: replaced(page, "<blz-page-header", "<x-gone").replace(
            "</blz-page-header>", "</x-gone>"
        ),
        "page-header",
    ),
    ("no hero name", lambda page: without(page, "blz-page-header blz-header h2"), "page-header"),
    (
        "unknown role icon",
        lambda page: replaced(page, "/Support.svg", "/Healer.svg"),
        "page-header",
    ),
    (
        "unknown subrole icon",
        lambda page: replaced(page, "/Tactician.svg", "/Sniper.svg"),
        "page-header",
    ),
    ("no location", lambda page: without(page, "blz-list-item.location"), "page-header"),
    (
        "no ability carousel",
        lambda page: without(page, "blz-carousel-section blz-carousel"),
        "abilities",
    ),
    ("a video missing", lambda page: without(page, "blz-web-video[data-group='1']"), "abilities"),
    (
        "ability without name",
        lambda page: replaced(page, 'variant="icon-text" label=', 'variant="icon-text" x='),
        "abilities",
    ),
    ("no major perks", lambda page: without(page, "div.perk-category.major"), "perks"),
    ("perk without name", lambda page: without(page, "div.perk-info h3"), "perks"),
    ("Stadium without powers", lambda page: without(page, "blz-card.talent-card"), "stadium"),
    ("power without name", lambda page: without(page, "p.talent-name"), "stadium"),
    ("no story", lambda page: rename_class(page, "lore"), "story"),
    (
        "chapter without picture",
        lambda page: without(page, "blz-accordion div[slot^=optional] blz-image"),
        "story",
    ),
]


@pytest.mark.parametrize(
    ("breakage", "section"), [(b[1], b[2]) for b in BREAKAGES], ids=[b[0] for b in BREAKAGES]
)
def test_broken_page_names_the_section(
    ana: str, breakage: Callable[[str], str], section: str
) -> None:
    with pytest.raises(ParseError) as caught:
        _parse(breakage(ana))

    assert (caught.value.page_type, caught.value.section) == ("hero", section)


def test_any_mangling_gives_a_known_error_or_a_full_hero(ana: str) -> None:
    for label, page in mutations(ana, READ_CLASSES):
        parsed = attempt(_parse, page)
        if isinstance(parsed, ParseError):
            assert parsed.page_type == "hero", label
        elif isinstance(parsed, NotFoundError):
            # Only losing the abilities container makes a complete page a missing hero.
            assert label in {".abilities-container", "<div>"}, label
        else:
            assert parsed["name"], label
            assert parsed["abilities"], label


@pytest.mark.parametrize(
    ("text", "locale", "birthday", "age"),
    [
        ("Jan 1 (Age: 62)", "en-us", "Jan 1", 62),
        ("Aug 6 (Age : 26)", "en-us", "Aug 6", 26),
        ("Unknown (Age: 32)", "en-us", None, 32),
        ("Unbekannt (Alter: 32)", "de-de", None, 32),
        ("Unknown (Alter: 32)", "de-de", "Unknown", 32),  # only the locale's own word
        ("1月1日（年齢：62歳）", "ja-jp", "1月1日", 62),
        ("不明（年齢：32）", "ja-jp", None, 32),
        ("알 수 없음 (나이: 32세)", "ko-kr", None, 32),
        ("1月1日 (年齡: 62)", "zh-tw", "1月1日", 62),
        ("Born long ago", "en-us", None, None),
    ],
)
def test_birthday_and_age(
    ana: str, text: str, locale: str, birthday: str | None, age: int | None
) -> None:
    parsed = _parse(replaced(ana, "Jan 1 (Age: 62)", text), locale=locale)

    assert (parsed["birthday"], parsed["age"]) == (birthday, age)


def test_relative_story_links_use_the_given_site(pages: Pages) -> None:
    # Find a captured hero whose story links to a page of Blizzard's own site.
    linked = [
        key
        for key in _hero_keys()
        if (pages.expected(f"heroes_{key}.json")["body"]["story"]["media"] or {})
        .get("link", "")
        .startswith(f"{SITE}/")
    ]
    assert linked, "no captured hero links to a story page"
    page = pages.blizzard(f"{HEROES_DIR}/{linked[0]}/index.html")

    ours = _parse(page, site_url="http://localhost:8080/")["story"]["media"]["link"]
    theirs = _parse(page)["story"]["media"]["link"]

    assert ours == "http://localhost:8080/" + theirs.removeprefix(f"{SITE}/")


def test_youtube_links_do_not_depend_on_the_site(ana: str) -> None:
    media = _parse(ana, site_url="http://localhost:8080")["story"]["media"]

    assert media["type"] == "video"
    assert media["link"].startswith("https://youtu.be/")


def test_hero_outside_stadium_has_null_powers(ana: str) -> None:
    assert _parse(ana)["stadium_powers"]
    assert _parse(without(ana, "div.stadium-wrapper"))["stadium_powers"] is None


def test_page_without_perks_has_null_perks(ana: str) -> None:
    assert _parse(without(ana, "blz-section#perks"))["perks"] is None


def test_counts_are_not_assumed(ana: str) -> None:
    full = _parse(ana)
    first_power = "blz-carousel-beta > blz-card.talent-card:first-of-type"

    fewer = _parse(without(without(ana, "div.perk-details.right.minor"), first_power))

    assert fewer["perks"]["minor"] == full["perks"]["minor"][:1]
    assert fewer["perks"]["major"] == full["perks"]["major"]
    assert fewer["stadium_powers"] == full["stadium_powers"][1:]


def test_powers_are_read_once_whatever_the_deck_element(ana: str) -> None:
    # Blizzard repeats the deck for small screens; dropping the carousel leaves that copy.
    full = _parse(ana)["stadium_powers"]

    assert _parse(without(ana, "blz-carousel-beta"))["stadium_powers"] == full


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(hero)

    assert result.attempted > 0
    assert result.failed == 0
