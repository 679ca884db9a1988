"""Static upstream pages (heroes list, hero pages, home page): storage first, then upstream.

The stored record keeps the raw page next to what the parser made of it, with the parser
version: a parser upgrade re-parses stored pages without asking Blizzard again, and a page
Blizzard broke never replaces the data we had.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from app.domain.errors import NotFoundError, ParseError, UpstreamError
from app.ports import Clock, FlightLock, JSONValue, StaticRecord, Storage, Upstream
from app.services.results import Result
from app.services.single_flight import SingleFlight

logger = logging.getLogger(__name__)

Parser = Callable[[str], JSONValue]


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One static upstream page: where it is, how to parse it, how long it stays fresh."""

    key: str
    path: str
    page_type: str
    parse: Parser
    parser_version: int
    staleness: int
    accept_statuses: frozenset[int] = frozenset({200})


class StaticPages:
    def __init__(
        self,
        storage: Storage,
        upstream: Upstream,
        clock: Clock,
        *,
        lock: FlightLock | None = None,
    ) -> None:
        self._storage = storage
        self._upstream = upstream
        self._clock = clock
        self._flight = SingleFlight[Result](lock)

    async def get(self, spec: PageSpec) -> Result:
        """The page's parsed data: stored if fresh, else fetched; stored if upstream fails."""
        return await self._flight.run(spec.key, lambda: self._get(spec))

    async def _get(self, spec: PageSpec) -> Result:
        record = await self._storage.get_static(spec.key)
        if record is not None and self._clock() - record.fetched_at < spec.staleness:
            return await self._from_record(spec, record)
        try:
            return await self.fetch(spec)
        except (UpstreamError, ParseError) as exc:
            if record is None:
                raise
            logger.warning("serving stored %s after upstream trouble: %s", spec.key, exc.message)
            result = await self._from_record(spec, record)
            return Result(result.data, result.generated_at, stale=True)

    async def fetch(self, spec: PageSpec) -> Result:
        """Fetch, parse and store the page now (also used by background refreshes)."""
        response = await self._upstream.get(
            spec.path, page_type=spec.page_type, accept_statuses=spec.accept_statuses
        )
        fetched_at = self._clock()
        data = await asyncio.to_thread(spec.parse, response.text)
        await self._storage.put_static(
            StaticRecord(spec.key, response.content, data, spec.parser_version, fetched_at)
        )
        return Result(data, fetched_at)

    async def _from_record(self, spec: PageSpec, record: StaticRecord) -> Result:
        if record.parser_version == spec.parser_version:
            return Result(record.parsed, record.fetched_at)
        try:
            data = await asyncio.to_thread(spec.parse, record.raw.decode("utf-8", "replace"))
        except (ParseError, NotFoundError):
            logger.warning("stored %s no longer parses; keeping the old parse", spec.key)
            return Result(record.parsed, record.fetched_at)
        await self._storage.put_static(
            StaticRecord(spec.key, record.raw, data, spec.parser_version, record.fetched_at)
        )
        return Result(data, record.fetched_at)
