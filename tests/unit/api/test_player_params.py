"""The schema's player id and search name rules are the domain's, both ways: whatever
the published pattern allows, the domain accepts, and whatever it refuses, the pattern
refuses too (so the schema neither promises too much nor hides a rule)."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.api.player_params import PlayerIdPath, SearchName
from app.domain.player_ids import MAX_PLAYER_ID_LENGTH, parse_player_id, parse_search_name


def published_pattern(annotation: object) -> re.Pattern[str]:
    (param,) = annotation.__metadata__  # type: ignore[attr-defined]
    for rule in param.metadata:
        if getattr(rule, "pattern", None):
            return re.compile(rule.pattern)
    raise AssertionError("no pattern published")


ID_PATTERN = published_pattern(PlayerIdPath)
NAME_PATTERN = published_pattern(SearchName)


def schema_allows(pattern: re.Pattern[str], value: str) -> bool:
    return 1 <= len(value) <= MAX_PLAYER_ID_LENGTH and pattern.match(value) is not None


def accepts(parse: object, value: str) -> bool:
    try:
        parse(value)  # type: ignore[operator]
    except ValueError:
        return False
    return True


# Characters near every rule: dashes, the separators, spaces of several kinds, controls.
EDGY = st.text(
    alphabet=st.sampled_from("aZ09-|%7c /\\\t\x00\x1f\x7f\x85\x9f\u00a0\u2028\u3000\ufeffé#."),
    max_size=8,
)


@given(st.from_regex(ID_PATTERN, fullmatch=True).filter(lambda v: len(v) <= MAX_PLAYER_ID_LENGTH))
def test_every_id_the_schema_allows_is_accepted(value: str) -> None:
    assert accepts(parse_player_id, value)


@given(st.one_of(EDGY, st.text(max_size=MAX_PLAYER_ID_LENGTH + 4)))
@example("-1234")
@example("Name-")
@example(" -x")
@example("a" * 65)
@example("..-1234")
def test_the_schema_and_the_domain_agree_on_any_id(value: str) -> None:
    assert schema_allows(ID_PATTERN, value) == accepts(parse_player_id, value)


@given(st.one_of(EDGY, st.text(max_size=MAX_PLAYER_ID_LENGTH + 4)))
@example("c65b8798|cfe9dd77")
@example("c65b8798%7Ccfe9dd77")
@example("..")
def test_the_schema_and_the_domain_agree_on_any_search_name(value: str) -> None:
    assert schema_allows(NAME_PATTERN, value) == accepts(parse_search_name, value)


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("TeKrop-2217", True),
        ("c65b8798|cfe9dd77", True),
        ("Kiriko", True),
        ("-1234", False),
        ("Name-", False),
        ("\u3000 ", False),
        ("a/b", False),
        ("a\\b", False),
        ("a\x01b", False),
        ("..-1234", False),
    ],
)
def test_examples_of_each_rule(value: str, allowed: bool) -> None:
    assert schema_allows(ID_PATTERN, value) is allowed
