"""Heroes list parser, checked against OverFast's expected `/heroes` answer."""

from __future__ import annotations

import doctest
from collections.abc import Callable
from types import ModuleType

import pytest

from app.domain.errors import ParseError
from app.parsers import _html, heroes
from app.parsers.heroes import parse_heroes_list
from tests.conftest import Pages
from tests.unit.parsers._mangling import attempt, mutations, rename_class, replaced, without

PAGE = "en-us/heroes/index.html"
READ_CLASSES = ("heroIndexWrapper", "stadium-badge", "main-content")


@pytest.fixture
def html(pages: Pages) -> str:
    return pages.blizzard(PAGE)


def test_matches_overfast(pages: Pages, html: str) -> None:
    expected = pages.expected("heroes.json")
    assert expected["status"] == 200

    assert parse_heroes_list(html) == expected["body"]


def test_locale_variant_matches_too(pages: Pages, html: str) -> None:
    assert parse_heroes_list(html) == pages.expected("heroes__locale=en-us.json")["body"]


def test_stadium_badge_adds_the_stadium_gamemode(html: str) -> None:
    listed = parse_heroes_list(html)
    assert any("stadium" in hero["gamemodes"] for hero in listed), "no Stadium hero captured"

    unbadged = parse_heroes_list(rename_class(html, "stadium-badge"))

    assert [hero["key"] for hero in unbadged] == [hero["key"] for hero in listed]
    assert all(hero["gamemodes"] == ["quickplay"] for hero in unbadged)


def test_a_hero_added_tomorrow_is_listed(html: str) -> None:
    # A copy of the first card under a new key and name: nothing about heroes is hard-coded.
    start = html.index('<a class="hero-card"')
    card = html[start : html.index("</a>", start) + len("</a>")]
    key = card.split('href="/heroes/', 1)[1].split('"', 1)[0]
    name = card.split('<h2 slot="heading">', 1)[1].split("<", 1)[0]
    new_card = card.replace(f"/heroes/{key}", "/heroes/zz-newcomer").replace(
        f">{name}<", ">Newcomer<"
    )

    listed = parse_heroes_list(html.replace(card, card + new_card, 1))

    assert listed[-1]["key"] == "zz-newcomer"
    assert listed[-1]["name"] == "Newcomer"
    assert len(listed) == len(parse_heroes_list(html)) + 1


BREAKAGES: list[tuple[str, Callable[[str], str], str]] = [
    ("empty", lambda page: "", "document"),
    ("cut in half", lambda page: page[: len(page) // 2], "document"),
    (
        "no main content",
        lambda page: rename_class(
            replaced(page, "<main", "<div").replace("</main>", "</div>"), "main-content"
        ),
        "main-content",
    ),
    ("no gallery", lambda page: rename_class(page, "heroIndexWrapper"), "gallery"),
    ("no hero card", lambda page: without(page, "blz-media-gallery a"), "gallery"),
    (
        "unknown role",
        lambda page: replaced(page, 'data-role="support"', 'data-role="healer"'),
        "hero-card",
    ),
    ("no sub-role", lambda page: replaced(page, "data-subrole=", "data-x="), "hero-card"),
    ("no portrait", lambda page: without(page, "blz-card blz-image"), "hero-card"),
    ("no name", lambda page: without(page, "blz-content-block h2"), "hero-card"),
    ("no link", lambda page: replaced(page, 'href="/heroes/', 'data-x="/heroes/'), "hero-card"),
]


@pytest.mark.parametrize(
    ("breakage", "section"), [(b[1], b[2]) for b in BREAKAGES], ids=[b[0] for b in BREAKAGES]
)
def test_broken_page_names_the_section(
    html: str, breakage: Callable[[str], str], section: str
) -> None:
    with pytest.raises(ParseError) as caught:
        parse_heroes_list(breakage(html))

    assert (caught.value.page_type, caught.value.section) == ("heroes", section)


def test_any_mangling_gives_a_parse_error_or_a_valid_list(html: str) -> None:
    for label, page in mutations(html, READ_CLASSES):
        listed = attempt(parse_heroes_list, page)
        if isinstance(listed, ParseError):
            assert listed.page_type == "heroes", label
            continue
        assert isinstance(listed, list), label
        assert listed, label
        assert all(hero["key"] and hero["name"] and hero["portrait"] for hero in listed), label


@pytest.mark.parametrize("module", [heroes, _html], ids=lambda module: module.__name__)
def test_docstring_examples_hold(module: ModuleType) -> None:
    result = doctest.testmod(module)

    assert result.attempted > 0
    assert result.failed == 0
