"""The compatibility figure counts what a client would see differ (`tests.field_match`)."""

from __future__ import annotations

from tests.field_match import FieldMatch, leaves


def test_leaves_name_every_value_by_its_path() -> None:
    body = {"a": {"b": [1, {"c": None}], "d": {}}, "e": []}

    assert dict(leaves(body)) == {"/a/b[0]": 1, "/a/b[1]/c": None, "/a/d": {}, "/e": []}


def test_equal_answers_match_on_every_field() -> None:
    match = FieldMatch()
    match.add("/players/{id}", {"a": [1, 2.5, "x"]}, {"a": [1, 2.5, "x"]})

    assert (match.fields, match.equal, match.percent, match.strict_percent) == (3, 3, 100, 100)


def test_a_renamed_key_an_int_for_a_float_and_a_shifted_list_all_differ() -> None:
    match = FieldMatch()
    ours = {"knockback_kills": 1, "time": 6, "values": [2, 3]}
    theirs = {"knockback_kill": 1, "time": 6.0, "values": [1, 2, 3]}
    match.add("/players/{id}/stats/career", ours, theirs)

    # 2 key names, the value type, 3 list positions (one missing, two shifted)
    assert (match.fields, match.equal) == (6, 0)
    assert match.differing[("/players/{id}/stats/career", "/values[]")] == 3
    assert "6 fields" in match.report()


def test_null_and_absent_are_alike_only_in_the_lenient_figure() -> None:
    match = FieldMatch()
    match.add("/players/{id}", {"heroes": {"ana": 1}}, {"heroes": {"ana": 1, "mei": None}})

    assert (match.fields, match.equal, match.null_or_absent) == (2, 1, 1)
    assert (match.percent, match.strict_percent) == (100, 50)
    assert match.nulls == {("/players/{id}", "heroes/*"): 1}
    # A null where the other side has a value is a real difference.
    match.add("/players/{id}", {"rank": None}, {"rank": 3})
    assert match.differing == {("/players/{id}", "/rank"): 1}
