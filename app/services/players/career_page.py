"""A fetched career page: what it says (parsed off the event loop) and whose it is."""

from __future__ import annotations

from app.domain.errors import NotFoundError, ParseError
from app.domain.player_ids import PlayerId, is_at_path
from app.parsers import career as career_parser
from app.ports import JSONValue
from app.services.hooks import ServiceHooks
from app.services.parsing import parse_off_loop


def served_battletag(pid: PlayerId, requested: str, final_url: str) -> str:
    """The key of a career page Blizzard served without naming a Blizzard ID: the
    BattleTag asked for, if the page was served at that BattleTag's own URL."""
    if pid.battletag is None:
        raise ParseError("career", "identity", "the career page has no Blizzard ID")
    if not is_at_path(final_url, requested):
        raise ParseError("career", "identity", "the career URL redirected to another page")
    return pid.battletag


async def parse_career_page(status: int, html: str, hooks: ServiceHooks) -> JSONValue:
    """The parsed page; how it was read and each part the parser dropped are reported to
    `hooks` (once per parse, not per answer: a stored profile is parsed again only after a
    parser upgrade)."""
    try:
        report = await parse_off_loop(career_parser.parse_career_report, html)
    except NotFoundError:
        if status == 404:
            raise
        # Blizzard answers unknown players with a 404; a 200 page without a profile is a
        # layout change, and must not put a real player on the unknown-player backoff.
        raise ParseError("career", "masthead", "the page has no player profile") from None
    hooks.career_parsed(report.reading)
    for problem in report.problems:
        hooks.parse_problem(problem)
    return report.career
