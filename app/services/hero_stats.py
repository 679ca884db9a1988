"""Hero pick and win rates from Blizzard's rates JSON.

Blizzard's game-mode id (`rq`) has changed several times. Each candidate id is tried in
turn and checked against the filters Blizzard echoes back; the one that worked is
remembered (in the shared cache, so every process benefits). When none works the answer
is a 502 with the reason, and the game mode is not retried upstream for a while: a
changed id must not turn every request into a burst of upstream calls.
"""

from __future__ import annotations

import logging

from app.domain.errors import IncompatibleFiltersError, ParseError
from app.parsers.rates import (
    RQ_CANDIDATES,
    hero_stats,
    parse_rates,
    rates_query,
    selection_mismatch,
)
from app.ports import Cache, Clock, JSONValue, Upstream
from app.services.results import Result
from app.services.single_flight import SingleFlight

logger = logging.getLogger(__name__)

RATES_PATH = "/en-us/rates/data/"
RATES_HEADERS = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}
RQ_MEMORY_TTL = 30 * 86400
RQ_FAILURE_BACKOFF = 300
"""Seconds during which a game mode whose `rq` no candidate matched is not retried."""


class HeroStatsService:
    def __init__(self, upstream: Upstream, cache: Cache, clock: Clock) -> None:
        self._upstream = upstream
        self._cache = cache
        self._clock = clock
        self._failed_until: dict[str, float] = {}
        self._flight = SingleFlight[JSONValue]()

    async def stats(
        self,
        *,
        platform: str,
        gamemode: str,
        region: str,
        role: str | None,
        map_key: str | None,
        competitive_division: str | None,
        order_by: str,
    ) -> Result:
        flight_key = f"{platform}:{gamemode}:{region}:{map_key}:{competitive_division}"
        rates = await self._flight.run(
            flight_key,
            lambda: self._rates(platform, gamemode, region, map_key, competitive_division),
        )
        return Result(hero_stats(rates, role=role, order_by=order_by), self._clock())

    async def _rates(
        self,
        platform: str,
        gamemode: str,
        region: str,
        map_key: str | None,
        division: str | None,
    ) -> JSONValue:
        if self._failed_until.get(gamemode, 0.0) > self._clock():
            raise _rq_error(gamemode)
        for rq in await self._candidates(gamemode):
            params = rates_query(
                platform=platform,
                gamemode=gamemode,
                region=region,
                map_key=map_key,
                competitive_division=division,
                rq=rq,
            )
            response = await self._upstream.get(
                RATES_PATH, page_type="rates", params=params, headers=RATES_HEADERS
            )
            parsed = parse_rates(response.content)
            mismatch = selection_mismatch(params, parsed["selected"])
            if mismatch == "rq":
                continue
            if mismatch == "map":
                raise IncompatibleFiltersError(
                    f"Selected map '{map_key}' is not compatible with '{gamemode}' gamemode."
                )
            if mismatch is not None:
                logger.info("Blizzard ignored the %s filter of a rates request", mismatch)
            await self._cache.set(f"hero-stats:rq:{gamemode}", rq.encode(), RQ_MEMORY_TTL)
            return parsed["rates"]
        self._failed_until[gamemode] = self._clock() + RQ_FAILURE_BACKOFF
        raise _rq_error(gamemode)

    async def _candidates(self, gamemode: str) -> list[str]:
        candidates = list(RQ_CANDIDATES[gamemode])
        remembered = await self._cache.get(f"hero-stats:rq:{gamemode}")
        if remembered is not None and remembered.decode() in candidates:
            candidates.remove(remembered.decode())
            candidates.insert(0, remembered.decode())
        return candidates


def _rq_error(gamemode: str) -> ParseError:
    return ParseError(
        "rates", "rq", f"Blizzard did not apply the '{gamemode}' game mode filter; retry later"
    )
