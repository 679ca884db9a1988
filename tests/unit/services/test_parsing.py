"""`parse_off_loop`: a parser's domain error leaves its worker thread without the frames
that hold the parsed document (issue 15: unknown players' 404 pages, parsed in threads
and kept alive by their exceptions, held hundreds of MB resident)."""

from __future__ import annotations

import traceback
from types import TracebackType

import pytest

from app.domain.errors import NotFoundError, ParseError
from app.parsers.career import parse_career
from app.services.parsing import parse_off_loop
from tests.conftest import Pages


def _frames(tb: TracebackType | None) -> list[str]:
    return [frame.name for frame in traceback.extract_tb(tb)]


def _parser_frames(error: BaseException) -> list[str]:
    found: list[str] = []
    chained: BaseException | None = error
    while chained is not None:
        found += [
            f"{entry.filename}:{entry.name}"
            for entry in traceback.extract_tb(chained.__traceback__)
            if "/app/parsers/" in entry.filename
        ]
        chained = chained.__context__
    return found


async def test_an_unknown_players_page_raises_without_the_parsers_frames(pages: Pages) -> None:
    html = pages.blizzard("en-us/career/_not-found.html")
    with pytest.raises(NotFoundError) as raised:
        await parse_off_loop(parse_career, html)

    assert _parser_frames(raised.value) == []


async def test_a_page_that_does_not_parse_raises_without_the_parsers_frames() -> None:
    with pytest.raises((ParseError, NotFoundError)) as raised:
        await parse_off_loop(parse_career, "<html><body><main>nothing here</main></body></html>")

    assert _parser_frames(raised.value) == []


async def test_other_exceptions_keep_their_traceback() -> None:
    def broken(text: str) -> None:
        raise KeyError(text)

    with pytest.raises(KeyError) as raised:
        await parse_off_loop(broken, "x")

    assert "broken" in _frames(raised.value.__traceback__)


async def test_a_successful_parse_returns_its_data(pages: Pages) -> None:
    html = pages.blizzard("en-us/career/TeKrop-2217/index.html")

    assert await parse_off_loop(parse_career, html) == parse_career(html)
