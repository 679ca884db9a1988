"""The schema's player id and search name rules are the domain's, both ways: whatever
the pattern allows, `parse_player_id` accepts, and whatever it refuses, the pattern
refuses too (so the schema neither promises too much nor hides a rule)."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.api.player_params import BLIZZARD_ID_PATTERN, PLAYER_ID_PATTERN
from app.domain.player_ids import MAX_PLAYER_ID_LENGTH, parse_player_id, search_path

PATTERN = re.compile(PLAYER_ID_PATTERN)
BLIZZARD_ID = re.compile(BLIZZARD_ID_PATTERN)


def schema_allows_id(value: str) -> bool:
    return 1 <= len(value) <= MAX_PLAYER_ID_LENGTH and PATTERN.match(value) is not None


def domain_accepts_id(value: str) -> bool:
    try:
        parse_player_id(value)
    except ValueError:
        return False
    return True


def domain_accepts_name(value: str) -> bool:
    try:
        search_path(value)
    except ValueError:
        return False
    return True


# Characters near every rule: dashes, the separators, spaces of several kinds, controls.
EDGY = st.text(
    alphabet=st.sampled_from("aZ09-|%7c /\\\t\x00\x1f\x7f\x85\x9f\u00a0\u2028\u3000\ufeffé#."),
    max_size=8,
)


@given(st.from_regex(PATTERN, fullmatch=True).filter(lambda v: len(v) <= MAX_PLAYER_ID_LENGTH))
def test_every_id_the_schema_allows_is_accepted(value: str) -> None:
    assert domain_accepts_id(value)


@given(st.one_of(EDGY, st.text(max_size=MAX_PLAYER_ID_LENGTH + 4)))
@example("-1234")
@example("Name-")
@example(" -x")
@example("a" * 65)
def test_the_schema_and_the_domain_agree_on_any_id(value: str) -> None:
    assert schema_allows_id(value) == domain_accepts_id(value)


@given(st.one_of(EDGY, st.text(max_size=MAX_PLAYER_ID_LENGTH + 4)))
@example("c65b8798|cfe9dd77")
@example("c65b8798%7Ccfe9dd77")
def test_the_schema_and_the_domain_agree_on_any_search_name(value: str) -> None:
    allowed = schema_allows_id(value) and BLIZZARD_ID.match(value) is None
    assert allowed == domain_accepts_name(value)


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
    ],
)
def test_examples_of_each_rule(value: str, allowed: bool) -> None:
    assert schema_allows_id(value) is allowed
