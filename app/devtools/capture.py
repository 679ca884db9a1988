"""`owdata capture`: fetch chosen upstream pages into a fixtures folder, politely.

The pages the API needs for the chosen routes: the home page (roles), the heroes list, hero
pages, each player's search and career page (the BattleTag's redirect included), more
search names, and optionally pick/win rates. Every call goes through the throttle the app
uses (same settings, same Valkey schedule when `VALKEY_URL` is set), and a 403 makes the
capture wait out the penalty rather than insist. The folder is in the fixtures format
(`capture_recorder.write_fixtures`), so `owdata fake-upstream --fixtures DIR` serves it and
`owdata serve` answers the captured routes offline, as Blizzard answered them.

Example:
    owdata capture --out bug-123 --heroes ana --player TeKrop-2217 --rates pc:competitive:europe
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from app.devtools.capture_recorder import RecordingUpstream, write_fixtures
from app.devtools.progress import Progress
from app.domain.errors import ParseError, UpstreamError, UpstreamRateLimitedError
from app.domain.player_ids import career_path, parse_player_id, search_path
from app.parsers.heroes import parse_heroes_list
from app.parsers.rates import RQ_CANDIDATES, parse_rates, rates_query, selection_mismatch
from app.ports import Upstream, UpstreamResponse
from app.services.hero_stats import RATES_HEADERS, RATES_PATH

MAX_RATE_LIMIT_WAITS = 3
ACCEPTED = frozenset({200, 404})  # a 404 page (unknown player or hero) is worth keeping


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    page_type: str
    params: dict[str, str] | None = None
    headers: dict[str, str] | None = None

    @property
    def label(self) -> str:
        return self.path + ("?" + urlencode(self.params) if self.params else "")


@dataclass(slots=True)
class CapturePlan:
    """What to fetch. `heroes`: None for every hero the heroes list names."""

    locale: str = "en-us"
    heroes: list[str] | None = None
    players: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    rates: list[tuple[str, str, str]] = field(default_factory=list)

    def first_pages(self) -> list[Page]:
        pages = [Page(f"/{self.locale}/", "roles"), Page(f"/{self.locale}/heroes/", "heroes")]
        for player in self.players:
            pid = parse_player_id(player)
            if pid.name is not None:
                pages.append(Page(search_path(pid), "search"))
            pages.append(Page(career_path(pid), "career"))
        pages += [Page(search_path(name), "search") for name in self.names]
        unique = {page.path: page for page in reversed(pages)}  # each asked once, first place
        return [page for page in pages if unique.get(page.path) is page]

    def hero_pages(self, keys: Sequence[str]) -> list[Page]:
        return [Page(f"/{self.locale}/heroes/{key}/", "hero") for key in keys]


@dataclass(slots=True)
class Capture:
    """Runs a plan through `upstream` (throttled); `failures` lists what could not be had."""

    upstream: Upstream
    progress: Progress
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    failures: list[str] = field(default_factory=list)

    async def fetch(self, page: Page) -> UpstreamResponse | None:
        for _ in range(MAX_RATE_LIMIT_WAITS):
            try:
                response = await self.upstream.get(
                    page.path,
                    page_type=page.page_type,
                    params=page.params,
                    headers=page.headers,
                    accept_statuses=ACCEPTED,
                )
            except UpstreamRateLimitedError as limited:
                self.progress.note(f"rate limited by the upstream: waiting {limited.retry_after} s")
                await self.sleep(limited.retry_after)
                continue
            except UpstreamError as error:
                self.progress.step(f"{page.label} failed: {error}")
                self.failures.append(f"{page.label}: {error}")
                return None
            self.progress.step(f"{page.label} {response.status}")
            return response
        raise UpstreamRateLimitedError(0)

    async def run(self, plan: CapturePlan) -> None:
        first = plan.first_pages()
        heroes_list = first[1]
        for page in first:
            response = await self.fetch(page)
            if page is heroes_list and plan.heroes is None:
                plan.heroes = self._hero_keys(response)
                self.progress.total += len(plan.heroes)
        for page in plan.hero_pages(plan.heroes or []):
            await self.fetch(page)
        for platform, gamemode, region in plan.rates:
            await self._rates(platform, gamemode, region)

    def _hero_keys(self, response: UpstreamResponse | None) -> list[str]:
        if response is None or response.status != 200:
            return []
        try:
            return [str(hero["key"]) for hero in parse_heroes_list(response.text)]
        except ParseError as error:  # kept as it is: the capture may be for this very bug
            self.progress.note(f"the heroes list does not parse ({error}): no hero pages")
            return []

    async def _rates(self, platform: str, gamemode: str, region: str) -> None:
        candidates = RQ_CANDIDATES[gamemode]
        for tried, rq in enumerate(candidates, 1):  # as the app: until Blizzard echoes our rq
            params = rates_query(
                platform=platform,
                gamemode=gamemode,
                region=region,
                map_key=None,
                competitive_division=None,
                rq=rq,
            )
            page = Page(RATES_PATH, "rates", params, RATES_HEADERS)
            response = await self.fetch(page)
            try:
                selected = parse_rates(response.content)["selected"] if response else None
            except ParseError:
                selected = None  # kept as it is; the other candidates would not help
            if selected is None or selection_mismatch(params, selected) != "rq":
                self.progress.total -= len(candidates) - tried  # the others are not needed
                return


async def capture(
    plan: CapturePlan,
    recorder: RecordingUpstream,
    upstream: Upstream,
    out: Path,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> int:
    """Run `plan` through `upstream` (which wraps `recorder`), write `out`; exit status."""
    rates = sum(len(RQ_CANDIDATES[gamemode]) for _, gamemode, _ in plan.rates)
    progress = Progress(len(plan.first_pages()) + len(plan.heroes or []) + rates)
    job = Capture(upstream, progress, sleep)
    status = 0
    try:
        await job.run(plan)
    except UpstreamRateLimitedError:
        progress.note("still rate limited: stopping, keeping what was captured")
        status = 1
    progress.finish()
    routes = write_fixtures(out, recorder.base_url, recorder.hops)
    progress.note(f"captured {routes} routes into {out}")
    for failure in job.failures:
        progress.note(f"  not captured: {failure}")
    return 1 if job.failures else status
