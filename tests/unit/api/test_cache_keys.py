"""Canonical cache keys; a repeated known parameter is refused."""

from __future__ import annotations

import pytest

from app.api.cache_keys import RepeatedParameterError, cache_key


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
