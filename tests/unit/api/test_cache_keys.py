"""Canonical cache keys follow what the routes read."""

from __future__ import annotations

import pytest

from app.api.cache_keys import cache_key


@pytest.mark.parametrize(
    ("query", "key"),
    [
        (b"role=tank&locale=fr-fr&utm=x", "/heroes?locale=fr-fr&role=tank"),
        (b"locale=fr-fr&role=tank", "/heroes?locale=fr-fr&role=tank"),
        (b"role=tank&role=support", "/heroes?role=support"),
        (b"role=support&role=tank", "/heroes?role=tank"),
        (b"role=tank&locale=fr-fr&role=damage", "/heroes?locale=fr-fr&role=damage"),
        (b"utm=1", "/heroes"),
    ],
)
def test_the_key_keeps_known_parameters_sorted_and_the_last_of_a_repeat(
    query: bytes, key: str
) -> None:
    assert cache_key("/heroes/", query) == key
