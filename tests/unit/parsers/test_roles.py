"""Roles parser (home page), checked against OverFast's expected `/roles` answer."""

from __future__ import annotations

import doctest
from collections.abc import Callable

import pytest

from app.domain.errors import ParseError
from app.parsers import roles
from app.parsers.roles import parse_roles
from tests.conftest import Pages
from tests.unit.parsers._mangling import attempt, mutations, rename_class, replaced, without

PAGE = "en-us/index.html"
READ_CLASSES = ("main-content", "homepage-features-heroes")
CAROUSEL = "div.homepage-features-heroes blz-feature-carousel-section"


@pytest.fixture
def html(pages: Pages) -> str:
    return pages.blizzard(PAGE)


@pytest.mark.parametrize("expected_file", ["roles.json", "roles__locale=en-us.json"])
def test_matches_overfast(pages: Pages, html: str, expected_file: str) -> None:
    expected = pages.expected(expected_file)
    assert expected["status"] == 200

    assert parse_roles(html) == expected["body"]


def test_mobile_copy_of_the_carousel_is_not_read(html: str) -> None:
    # The nested mobile carousel repeats every role; it must not add or replace any.
    assert parse_roles(without(html, f"{CAROUSEL} > blz-carousel")) == parse_roles(html)


BREAKAGES: list[tuple[str, Callable[[str], str], str]] = [
    ("empty", lambda page: "", "document"),
    ("cut in half", lambda page: page[: len(page) // 2], "document"),
    ("no main content", lambda page: without(page, "main"), "main-content"),
    ("no heroes carousel", lambda page: rename_class(page, "homepage-features-heroes"), "carousel"),
    ("unknown role icon", lambda page: replaced(page, "/Tank.svg", "/Healer.svg"), "icons"),
    ("no tab controls", lambda page: without(page, f"{CAROUSEL} > blz-tab-controls"), "icons"),
    (
        "icon without image",
        lambda page: without(page, f"{CAROUSEL} > blz-tab-controls blz-image"),
        "icons",
    ),
    (
        "a slide missing",
        lambda page: without(page, f"{CAROUSEL} > blz-feature:first-of-type"),
        "features",
    ),
    ("slide without name", lambda page: without(page, f"{CAROUSEL} > blz-feature h3"), "features"),
]


@pytest.mark.parametrize(
    ("breakage", "section"), [(b[1], b[2]) for b in BREAKAGES], ids=[b[0] for b in BREAKAGES]
)
def test_broken_page_names_the_section(
    html: str, breakage: Callable[[str], str], section: str
) -> None:
    with pytest.raises(ParseError) as caught:
        parse_roles(breakage(html))

    assert (caught.value.page_type, caught.value.section) == ("roles", section)


def test_any_mangling_gives_a_parse_error_or_valid_roles(html: str) -> None:
    for label, page in mutations(html, READ_CLASSES):
        found = attempt(parse_roles, page)
        if isinstance(found, ParseError):
            assert found.page_type == "roles", label
            continue
        assert isinstance(found, list), label
        assert {role["key"] for role in found} <= {"tank", "damage", "support"}, label
        assert all(role["name"] and role["icon"] for role in found), label


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(roles)

    assert result.attempted > 0
    assert result.failed == 0
