"""Static upstream pages (heroes list, hero pages, home page): storage first, then upstream.

The stored record keeps the raw page next to what the parser made of it, with the parser
version: a parser upgrade re-parses stored pages without asking Blizzard again, and a page
Blizzard broke never replaces the data we had.

Stale-while-revalidate: a record past its staleness threshold is served at once, marked
stale, and a durable refresh job is queued in the same storage transaction as the
record's bookkeeping (a re-parse). The job fetches the page again (`fetch`); until it
succeeds, even with Blizzard down or throttling us, the stale record keeps answering.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from app.domain.errors import NotFoundError, ParseError
from app.ports import (
    Clock,
    FlightLock,
    JSONValue,
    OutboxStorage,
    StaticRecord,
    UnreadablePageError,
    Upstream,
    read_raw,
)
from app.services.hooks import ServiceHooks
from app.services.parsing import parse_off_loop
from app.services.results import Result
from app.services.single_flight import SingleFlight

logger = logging.getLogger(__name__)

Parser = Callable[[str], JSONValue]
REFRESH_STATIC = "refresh_static"
"""Job kind of a static page refresh; its payload is the page's `PageSpec.job`."""


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
    job: Mapping[str, str] = field(default_factory=dict)
    """What a refresh job needs to build this spec again (see `HeroesService.spec_for`)."""


class StaticPages:
    def __init__(
        self,
        storage: OutboxStorage,
        upstream: Upstream,
        clock: Clock,
        *,
        lock: FlightLock | None = None,
        hooks: ServiceHooks | None = None,
    ) -> None:
        self._storage = storage
        self._upstream = upstream
        self._clock = clock
        self._hooks = hooks or ServiceHooks()
        self._flight = SingleFlight[Result](lock, on_wait=self._hooks.flight_wait)

    async def get(self, spec: PageSpec) -> Result:
        """The page's data: from storage when there is a record (marked stale, with a
        refresh queued, when past its threshold), else fetched from upstream and stored."""
        return await self._flight.run(spec.key, lambda: self._get(spec))

    async def _get(self, spec: PageSpec) -> Result:
        record = await self._storage.get_static(spec.key)
        # None: nothing stored, or a parse to redo from a stored page that is damaged.
        read = None if record is None else await self._from_record(spec, record)
        if read is None:
            self._hooks.storage_lookup("miss")
            return await self.fetch(spec)
        result, reparsed = read
        now = self._clock()
        stale = now - result.generated_at >= spec.staleness
        self._hooks.storage_lookup("stale_hit" if stale else "fresh_hit")
        if reparsed is None and not stale:
            return result
        async with self._storage.transaction() as tx:
            if reparsed is not None:
                tx.put_static(reparsed)
            if stale:
                tx.enqueue(f"static:{spec.key}", REFRESH_STATIC, dict(spec.job), run_at=now)
        for _ in tx.enqueued:
            self._hooks.job_enqueued(REFRESH_STATIC)
        return Result(result.data, result.generated_at, stale=stale)

    async def refresh(self, spec: PageSpec) -> None:
        """A refresh job: fetch the page again unless someone already did (fresh record)."""
        record = await self._storage.get_static(spec.key)
        if record is None or self._clock() - record.fetched_at >= spec.staleness:
            await self._flight.run(f"refresh:{spec.key}", lambda: self.fetch(spec))

    async def fetch(self, spec: PageSpec) -> Result:
        """Fetch, parse and store the page now (also used by background refreshes)."""
        response = await self._upstream.get(
            spec.path, page_type=spec.page_type, accept_statuses=spec.accept_statuses
        )
        fetched_at = self._clock()
        data = await parse_off_loop(spec.parse, response.text)
        await self._storage.put_static(
            StaticRecord(spec.key, response.content, data, spec.parser_version, fetched_at)
        )
        return Result(data, fetched_at)

    async def _from_record(
        self, spec: PageSpec, record: StaticRecord
    ) -> tuple[Result, StaticRecord | None] | None:
        """The record's data, re-parsed when the parser changed (with the record to store);
        None when it must be re-parsed and its stored page cannot be read."""
        if record.parser_version == spec.parser_version:
            return Result(record.parsed, record.fetched_at), None
        try:
            page = await read_raw(record.raw)  # the only read that needs the raw page
        except UnreadablePageError as exc:
            logger.warning("stored %s page unreadable, fetched again: %s", spec.key, exc)
            return None
        try:
            data = await parse_off_loop(spec.parse, page.decode("utf-8", "replace"))
        except (ParseError, NotFoundError):
            logger.warning("stored %s no longer parses; keeping the old parse", spec.key)
            return Result(record.parsed, record.fetched_at), None
        reparsed = StaticRecord(spec.key, record.raw, data, spec.parser_version, record.fetched_at)
        return Result(data, record.fetched_at), reparsed
