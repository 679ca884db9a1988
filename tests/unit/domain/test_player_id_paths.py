"""Property: no player id or search name can change which upstream path is fetched.

For any string, either it is rejected (the API answers 422: its parameter pattern is the
same as `parse_player_id`'s, checked here with the engine FastAPI validates with), or the
URL httpx really requests is `/en-us/career/<one segment>/` or
`/en-us/search/account-by-name/<one segment>/`, that segment naming the input itself.
Before the fix, `..-1234` and `..` made us fetch `/en-us/search/` and `/en-us/`.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import StringConstraints, TypeAdapter, ValidationError

from app.domain.player_ids import (
    MAX_PLAYER_ID_LENGTH,
    NAME_PATTERN,
    PLAYER_ID_PATTERN,
    career_path,
    parse_player_id,
    parse_search_name,
    search_path,
)

BLIZZARD = "https://overwatch.blizzard.com"
CLIENT = httpx.Client(base_url=BLIZZARD)  # only builds requests, never sends one
PIECES = [".", "..", "%2e", "%2E", "/", "%2f", "\\", "-", "1234", "Ab", "é", "|", "%7C"]
PIECES += ["?", "#", " ", "\u2025", "\uff0e", "\u3002", "\x00", "\n", "%", "\U0001f600"]
HOSTILE = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
ANY_TEXT = st.text(max_size=MAX_PLAYER_ID_LENGTH + 4)
IDS = st.one_of(
    ANY_TEXT,
    HOSTILE,
    st.from_regex(PLAYER_ID_PATTERN, fullmatch=True).filter(lambda s: len(s) <= 64),
)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _api_accepts(pattern: str, value: str) -> bool:
    """What FastAPI's validation (pydantic's regex engine) says of `value`."""
    adapter = TypeAdapter(
        Annotated[
            str,
            StringConstraints(min_length=1, max_length=MAX_PLAYER_ID_LENGTH, pattern=pattern),
        ]
    )
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


def _fetched_segment(path: str, prefix: str) -> str:
    """The one segment after `prefix` in the path httpx sends for `path`."""
    url = CLIENT.build_request("GET", path).url
    assert (url.scheme, url.host, url.query, url.fragment) == ("https", url.host, b"", "")
    raw_path = url.raw_path.decode("ascii")
    assert raw_path.startswith(prefix), raw_path
    assert raw_path.endswith("/"), raw_path
    segment = raw_path.removeprefix(prefix)[:-1]
    assert segment, raw_path
    assert "/" not in segment, raw_path
    assert unquote(segment) not in {".", ".."}, raw_path
    return segment


@SETTINGS
@given(IDS)
@example("..-1234")
@example("..")
@example(".")
@example("%2e%2e")
@example("TeKrop-2217")
@example("c65b8798|cfe9dd77")
def test_a_player_id_fetches_exactly_its_career_page(raw: str) -> None:
    try:
        pid = parse_player_id(raw)
    except ValueError:
        assert not _api_accepts(PLAYER_ID_PATTERN, raw)
        return
    assert _api_accepts(PLAYER_ID_PATTERN, raw)
    segment = _fetched_segment(career_path(pid), "/en-us/career/")
    expected = pid.blizzard_id.replace("%7C", "|") if pid.blizzard_id else raw
    assert unquote(segment) == expected


@SETTINGS
@given(IDS)
@example("..")
@example("..-1234")
@example("%2e%2e")
@example("TeKrop-2217")
def test_a_search_name_fetches_exactly_its_search(raw: str) -> None:
    try:
        pid = parse_search_name(raw)
    except ValueError:
        assert not _api_accepts(NAME_PATTERN, raw)
        return
    assert _api_accepts(NAME_PATTERN, raw)
    segment = _fetched_segment(search_path(pid), "/en-us/search/account-by-name/")
    assert unquote(segment) == raw.split("-", 1)[0]


@pytest.mark.parametrize("raw", ["..", "..-1234", ".", "%2e%2e", "a/..", "../x-1"])
def test_the_reported_inputs_are_rejected(raw: str) -> None:
    with pytest.raises(ValueError, match="should be a BattleTag"):
        parse_player_id(raw)
    with pytest.raises(ValueError, match="should be a name"):
        parse_search_name(raw)
