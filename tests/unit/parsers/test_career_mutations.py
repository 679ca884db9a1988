"""The career parser on pages it has not seen: each mutation of a captured page (see
tests/career_mutations.py) parses to what can still be read, reports what it dropped, and
never fails the whole player."""

from __future__ import annotations

import json
import re
from functools import partial

import pytest

from app.parsers.career import CareerParse, parse_career, parse_career_report
from tests.career_mutations import MUTATIONS, Mutation
from tests.conftest import Pages
from tests.unit.parsers._mangling import GONE, attempt, mutations, rename_class

TEKROP = "en-us/career/TeKrop-2217/index.html"


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_mutated_page_parses_to_what_can_be_read(pages: Pages, mutation: Mutation) -> None:
    original = parse_career(pages.blizzard(TEKROP))
    page = mutation.edit(pages.blizzard(TEKROP))

    report = parse_career_report(page)

    assert json.loads(json.dumps(report.career)) == report.career
    assert report.career["summary"]["username"] == "TeKrop"
    assert _outcome(report) == _outcome(parse_career_report(page, cut_blocks=False))
    assert sorted(p.reason for p in report.problems) == mutation.reasons
    assert all(p.page_type == "career" for p in report.problems)
    mutation.check(original, report.career)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_mutations_change_the_page(pages: Pages, mutation: Mutation) -> None:
    # A mutation that edits nothing would let its test pass without testing anything.
    assert mutation.edit(pages.blizzard(TEKROP)) != pages.blizzard(TEKROP)


def test_every_mutation_applied_at_once_still_parses(pages: Pages) -> None:
    page, applied = pages.blizzard(TEKROP), []
    for mutation in MUTATIONS:
        try:
            page = mutation.edit(page)
        except AssertionError:
            continue  # an earlier mutation already changed its target
        applied.append(mutation)

    report = parse_career_report(page)

    assert len(applied) > len(MUTATIONS) // 2
    assert report.career["stats"]["pc"]["quickplay"]["career_stats"]
    assert {p.reason for p in report.problems} == {r for m in applied for r in m.reasons}


# --- any class, tag or attribute the parser reads, renamed -----------------------------------

# The classes the career parser reads. Only the masthead and the player name identify the
# page; any other may change and the rest of the page must still be read.
IDENTITY_CLASSES = ("Profile-masthead", "Profile-player--name")
OTHER_CLASSES = (
    "Profile-player--title",
    "Profile-player--portrait",
    "Profile-playerSummary--endorsement",
    "Profile-playerSummary--rankWrapper",
    "Profile-playerSummary--roleWrapper",
    "Profile-playerSummary--role",
    "Profile-playerSummary--rank",
    "mouseKeyboard-view",
    "controller-view",
    "Profile-view",
    "Profile-heroSummary--view",
    "quickPlay-view",
    "competitive-view",
    "stats",
    "Profile-progressBars",
    "Profile-progressBar",
    "Profile-progressBar-title",
    "Profile-progressBar-description",
    "stats-container",
    "content",
    "header",
    "stat-item",
)
CAREER_ATTRIBUTES = ("value", "option-id", "data-category-id", "data-hero-id", "xlink:href")


@pytest.mark.parametrize("token", OTHER_CLASSES)
def test_any_renamed_class_keeps_the_player(pages: Pages, token: str) -> None:
    page = rename_class(pages.blizzard(TEKROP), token)

    report = parse_career_report(page)

    assert report.career["summary"]["username"] == "TeKrop"
    assert json.loads(json.dumps(report.career)) == report.career
    assert _outcome(report) == _outcome(parse_career_report(page, cut_blocks=False))


def test_any_mangling_gives_a_known_error_or_a_career(pages: Pages) -> None:
    html = pages.blizzard(TEKROP)
    variants = list(mutations(html, IDENTITY_CLASSES)) + [
        (f"[{name}]", re.sub(rf"(?<=\s){re.escape(name)}=", f"{GONE}=", html))
        for name in CAREER_ATTRIBUTES
    ]
    for label, page in variants:
        result = attempt(parse_career, page)
        if isinstance(result, dict):
            assert json.loads(json.dumps(result)) == result, label
        whole = attempt(partial(parse_career_report, cut_blocks=False), page)
        assert _outcome(attempt(parse_career_report, page)) == _outcome(whole), label


def _outcome(result: CareerParse | Exception) -> tuple[str, object]:
    """A parse's answer and dropped parts, or its error, comparable across readings."""
    if isinstance(result, Exception):
        return type(result).__name__, str(result)
    return json.dumps(result.career), result.problems
