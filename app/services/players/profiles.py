"""Player profiles: storage first, then Blizzard's search and career pages.

Identity is never guessed. A profile is stored under one of two keys (`PlayerRecord.key`):

- its **Blizzard ID**, when Blizzard redirected `/career/<BattleTag>/` to it (the BattleTag
  is kept with it: a stored mapping, reused so the BattleTag URL is not asked again), or
  when it was asked for by Blizzard ID;
- its **BattleTag**, when Blizzard served the career page at `/career/<BattleTag>/` itself
  (HTTP 200, no redirect, as it did until 2025): that page is Blizzard's answer for
  exactly that BattleTag, discriminator included. Its search entry is attached only when
  Blizzard's search ties it to that BattleTag unambiguously (`tied_entry`); otherwise the
  summary's search-only fields (namecard, ...) are null.

When a later fetch of a BattleTag-keyed profile does redirect, the profile moves to its
Blizzard ID in one storage write (`Storage.put_player` drops the BattleTag row; the
backoff of the id asked for and of the new key are cleared in the same transaction), and
its refresh jobs follow (`player:<key>`). A wrong discriminator gets Blizzard's 404 (our
unknown-player 404), so it can never return another player's profile. A bare name served
without a redirect has no identity to key it by: that stays a 502.

Upstream calls per request once the stored profile is older than the staleness threshold:
BattleTag with a stored mapping and an unchanged `lastUpdated` → 1 (search); changed → 2;
first time → 2 (search + career, redirected or not); Blizzard ID → 2 (career + search).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from app.domain.errors import InvalidInputError, NotFoundError, ParseError
from app.domain.player_ids import (
    PlayerId,
    PlayerIdKind,
    blizzard_id_from_career_url,
    career_path,
    parse_player_id,
    search_path,
)
from app.domain.player_matching import Entry, match_entry, single_public_id, tied_entry
from app.parsers import career as career_parser
from app.parsers.search import parse_search
from app.ports import (
    Clock,
    FlightLock,
    JSONValue,
    OutboxStorage,
    PlayerRecord,
    UnreadablePageError,
    Upstream,
    read_raw,
)
from app.services.hooks import ServiceHooks
from app.services.players.career_page import parse_career_page, served_battletag
from app.services.players.unknown import UnknownPlayers
from app.services.single_flight import SingleFlight

logger = logging.getLogger(__name__)

REFRESH_PLAYER = "refresh_player"
"""Job kind of a player profile refresh; payload `{"player_id": <as requested>}`."""


@dataclass(frozen=True, slots=True)
class Profile:
    key: str
    """Where the profile is stored: its Blizzard ID, or its BattleTag (`PlayerRecord.key`)."""
    career: JSONValue
    search_entry: Entry | None
    fetched_at: float
    stale: bool = False


def unknown_key(pid: PlayerId) -> str:
    """The key a player's lookups (and backoff) are tracked under."""
    return pid.blizzard_id or pid.raw


def refresh_job_key(record: PlayerRecord) -> str:
    """The refresh job of a stored profile: keyed like the profile, so it follows a move."""
    return f"player:{record.key}"


class PlayerProfiles:
    def __init__(
        self,
        storage: OutboxStorage,
        upstream: Upstream,
        clock: Clock,
        unknown: UnknownPlayers,
        *,
        staleness: int,
        lock: FlightLock | None = None,
        hooks: ServiceHooks | None = None,
    ) -> None:
        self._storage = storage
        self._upstream = upstream
        self._clock = clock
        self._unknown = unknown
        self._staleness = staleness
        self._hooks = hooks or ServiceHooks()
        self._flight = SingleFlight[Profile](lock, on_wait=self._hooks.flight_wait)

    async def get(self, raw_id: str, *, force: bool = False) -> Profile:
        """The player's profile; with `force` (refresh jobs) a stale one is refreshed
        before answering instead of being served with a refresh queued.

        Raises `InvalidInputError` for an invalid id, `PlayerNotFoundError` for an unknown
        player, `UpstreamError`/`ParseError` when nothing stored can answer."""
        try:
            pid = parse_player_id(raw_id)
        except ValueError as exc:
            raise InvalidInputError(
                f"Invalid player_id: {exc}", location=("path", "player_id"), value=raw_id
            ) from None
        key = unknown_key(pid)
        # A forced refresh (a job) must not join a plain lookup (which would hand it the
        # stale profile), nor a plain lookup join a refresh (and get its upstream error).
        flight_key = f"refresh:{key}" if force else key
        return await self._flight.run(flight_key, lambda: self._load(pid, force))

    async def _load(self, pid: PlayerId, force: bool) -> Profile:
        record = await self._stored(pid)
        outdated = record is not None and record.parser_version != career_parser.PARSER_VERSION
        if record is not None and not outdated and self._fresh(record):
            # Also for a refresh job: a fresh record means someone refreshed it already.
            # No backoff check: it was fetched after any backoff of its key ended.
            self._hooks.storage_lookup("fresh_hit")
            return self._profile(record)
        await self._unknown.check(unknown_key(pid))
        if record is not None and outdated:
            record = await self._reparse(record)  # None: its page is unreadable, fetch it
        if record is None:
            self._hooks.storage_lookup("miss")
        elif self._fresh(record):  # re-parsed
            self._hooks.storage_lookup("fresh_hit")
            return self._profile(record)
        elif not force:
            profile = self._profile(record)
            self._hooks.storage_lookup("stale_hit")
            # Stale: answer now, refresh in the background (a durable job).
            async with self._storage.transaction() as tx:
                tx.enqueue(
                    refresh_job_key(record),
                    REFRESH_PLAYER,
                    {"player_id": pid.raw},
                    run_at=self._clock(),
                )
            for _ in tx.enqueued:
                self._hooks.job_enqueued(REFRESH_PLAYER)
            return replace(profile, stale=True)
        try:
            record = await self._refresh(pid, record)
        except NotFoundError:
            previous = await self._storage.get_unknown_player(unknown_key(pid))
            raise await self._unknown.mark(unknown_key(pid), previous) from None
        return self._profile(record)

    def _fresh(self, record: PlayerRecord) -> bool:
        return self._clock() - record.fetched_at < self._staleness

    async def _stored(self, pid: PlayerId) -> PlayerRecord | None:
        if pid.blizzard_id is not None:
            return await self._storage.get_player(pid.blizzard_id)
        if pid.battletag is not None:
            return await self._storage.find_player_by_battletag(pid.battletag)
        return None

    @staticmethod
    def _profile(record: PlayerRecord) -> Profile:
        return Profile(record.key, record.parsed, record.search_entry, record.fetched_at)

    async def _reparse(self, record: PlayerRecord) -> PlayerRecord | None:
        """The record parsed again by this parser version, and stored; None when the
        stored page cannot be read (the profile is then fetched again from Blizzard)."""
        try:
            page = await read_raw(record.raw)  # the only read that needs the raw page
        except UnreadablePageError as exc:
            logger.warning("stored career page of %r unreadable, refetched: %s", record.key, exc)
            return None
        parsed = await parse_career_page(200, page.decode("utf-8", "replace"), self._hooks)
        record = replace(record, parsed=parsed, parser_version=career_parser.PARSER_VERSION)
        await self._storage.put_player(record)
        return record

    async def _search(self, name: str) -> list[dict[str, Any]]:
        response = await self._upstream.get(search_path(name), page_type="search")
        return parse_search(response.content)

    async def _refresh(self, pid: PlayerId, record: PlayerRecord | None) -> PlayerRecord:
        """Ask Blizzard; reuse the stored page when `lastUpdated` says it did not change."""
        known_id = pid.blizzard_id or (record.blizzard_id if record else None)
        name = pid.name or (record.name if record else None)
        entries: list[dict[str, Any]] | None = None
        entry: Entry | None = None
        if name is not None:
            entries = await self._search(name)
            if known_id is None and pid.kind is PlayerIdKind.NAME:
                known_id = single_public_id(entries, name)
            if known_id is not None:
                entry = match_entry(entries, known_id, name)
            elif pid.battletag is not None:
                entry = tied_entry(entries, pid.battletag)
        if (
            record is not None
            and entry is not None
            and (entry.get("last_updated") == record.last_updated_blizzard)
        ):
            touched = replace(record, search_entry=dict(entry), fetched_at=self._clock())
            await self._save(touched, pid)
            return touched
        requested = career_path(known_id or pid)
        response = await self._upstream.get(
            requested, page_type="career", accept_statuses=frozenset({200, 404})
        )
        blizzard_id = known_id or blizzard_id_from_career_url(response.url)
        key = blizzard_id
        if key is None and response.status == 200:  # before parsing: whose page is it?
            key = served_battletag(pid, requested, response.url)
        career = await parse_career_page(response.status, response.text, self._hooks)
        if key is None:  # a 404 that still reads as a profile
            raise ParseError("career", "identity", "the career page has no Blizzard ID")
        username = career["summary"]["username"]
        if blizzard_id is not None and (known_id is None or entry is None):
            # The redirect named the account just now (or its entry is still unknown).
            entries = await self._search(username) if entries is None else entries
            entry = match_entry(entries, blizzard_id, username)
        fresh = PlayerRecord(
            key=key,
            battletag=pid.battletag,
            name=username,
            raw=response.content,
            parsed=career,
            parser_version=career_parser.PARSER_VERSION,
            search_entry=dict(entry) if entry is not None else None,
            last_updated_blizzard=entry.get("last_updated") if entry is not None else None,
            fetched_at=self._clock(),
        )
        await self._save(fresh, pid)
        return fresh

    async def _save(self, record: PlayerRecord, pid: PlayerId) -> None:
        """Store a fetched profile and clear the backoff of the id asked for and of its key,
        in one write: a move from a BattleTag key (see `Storage.put_player`) included."""
        async with self._storage.transaction() as tx:
            tx.put_player(record)
            tx.clear_unknown_player(*dict.fromkeys((unknown_key(pid), record.key)))
