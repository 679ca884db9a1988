"""Running a parser off the event loop without keeping its document alive.

Parsers are pure and CPU-bound, so services run them in a worker thread. A parser that
fails raises a domain error (`ParseError`, `NotFoundError`: Blizzard's page for an
unknown player, say) whose traceback holds the parser's frames, and with them the parsed
document: lexbor memory the garbage collector cannot see. Kept by whoever holds the
exception for a while (concurrent requests, futures), thousands of them kept hundreds of
megabytes resident. `parse_off_loop` drops those frames before the error leaves the
thread; the error's message says what failed, and other exceptions (bugs) keep their
traceback.

Example:
    >>> data = await parse_off_loop(parse_career, html)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from app.domain.errors import NotFoundError, ParseError


async def parse_off_loop[T](parse: Callable[[str], T], text: str) -> T:
    """`parse(text)` in a worker thread; a `ParseError` or `NotFoundError` raised by it
    arrives without the parser's frames."""
    return await asyncio.to_thread(_without_parser_frames, parse, text)


def _without_parser_frames[T](parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except (ParseError, NotFoundError) as exc:
        error: BaseException | None = exc
        while error is not None:  # the chain, too: each one's frames hold the document
            error.__traceback__ = None
            error = error.__context__
        raise
