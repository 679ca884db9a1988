"""Canonical cache keys; a repeated known parameter is refused."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.api.cache_keys import KNOWN_PARAMS, RepeatedParameterError, cache_key, query_pairs


@pytest.mark.parametrize(
    ("query", "key"),
    [
        (b"role=tank&locale=fr-fr&utm=x", "/heroes?locale=fr-fr&role=tank"),
        (b"locale=fr-fr&role=tank", "/heroes?locale=fr-fr&role=tank"),
        (b"utm=1&utm=2", "/heroes"),
        (b"", "/heroes"),
    ],
)
def test_the_key_keeps_known_parameters_sorted(query: bytes, key: str) -> None:
    assert cache_key("/heroes/", query) == key


@pytest.mark.parametrize(
    "query", [b"role=tank&role=support", b"role=support&locale=fr-fr&role=tank", b"role=&role="]
)
def test_a_repeated_known_parameter_is_refused(query: bytes) -> None:
    with pytest.raises(RepeatedParameterError) as raised:
        cache_key("/heroes", query)

    assert raised.value.name == "role"
    assert len(raised.value.values) == 2


QUERY_BYTES = st.lists(
    st.sampled_from([b"a", b"Z", b"9", b"_", b".", b"~", b"-", b"&", b"=", b"%", b"+", b";"])
    | st.sampled_from([b"%41", b"%7C", b"%", b":", b" ", b"\xe9", b"role", b"gamemode"]),
    max_size=12,
).map(b"".join)


@given(QUERY_BYTES)
def test_query_pairs_are_those_parse_qsl_reads(query: bytes) -> None:
    """The plain query strings split directly read exactly as starlette reads any."""
    assert query_pairs(query) == parse_qsl(query.decode("latin-1"), keep_blank_values=True)


@given(QUERY_BYTES)
def test_a_plain_key_is_the_one_urlencode_writes(query: bytes) -> None:
    pairs = sorted(
        (name, value)
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        if name in KNOWN_PARAMS
    )
    assume(len({name for name, _ in pairs}) == len(pairs))  # repeated: refused (above)
    expected = f"/players?{urlencode(pairs)}" if pairs else "/players"

    assert cache_key("/players", query) == expected
