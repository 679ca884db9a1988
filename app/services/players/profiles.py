"""Player profiles: storage first, then Blizzard's search and career pages.

Identity is never guessed: a BattleTag is tied to a Blizzard ID only through Blizzard's
own redirect of `/career/<BattleTag>/` (or a mapping stored from an earlier redirect),
so a wrong discriminator can never return another player's profile.

Upstream calls per request once the stored profile is older than the staleness threshold:
BattleTag with a stored mapping and an unchanged `lastUpdated` → 1 (search); changed → 2;
first time → 2 (search + career redirect); Blizzard ID → 2 (career + search).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
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
from app.parsers import career as career_parser
from app.parsers.search import parse_search
from app.ports import Clock, FlightLock, JSONValue, OutboxStorage, PlayerRecord, Upstream
from app.services.hooks import ServiceHooks
from app.services.parsing import parse_off_loop
from app.services.players.unknown import UnknownPlayers
from app.services.single_flight import SingleFlight

logger = logging.getLogger(__name__)

Entry = Mapping[str, Any]
REFRESH_PLAYER = "refresh_player"
"""Job kind of a player profile refresh; payload `{"player_id": <as requested>}`."""


@dataclass(frozen=True, slots=True)
class Profile:
    blizzard_id: str
    career: JSONValue
    search_entry: Entry | None
    fetched_at: float
    stale: bool = False


def unknown_key(pid: PlayerId) -> str:
    """The key a player's lookups (and backoff) are tracked under."""
    return pid.blizzard_id or pid.raw


def match_entry(entries: Sequence[Entry], blizzard_id: str, name: str | None) -> Entry | None:
    """The search entry of `blizzard_id`, preferring one with the expected name."""
    same_id = [entry for entry in entries if entry["blizzard_id"] == blizzard_id]
    by_name = [entry for entry in same_id if entry["name"] == name]
    candidates = by_name or same_id
    return candidates[0] if candidates else None


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
            raise InvalidInputError(f"Invalid player_id: {exc}") from None
        key = unknown_key(pid)
        status = await self._unknown.check(key)
        # A forced refresh (a job) must not join a plain lookup (which would hand it the
        # stale profile), nor a plain lookup join a refresh (and get its upstream error).
        flight_key = f"refresh:{key}" if force else key
        return await self._flight.run(
            flight_key, lambda: self._load(pid, status is not None, force)
        )

    async def _load(self, pid: PlayerId, was_unknown: bool, force: bool) -> Profile:
        record = await self._stored(pid)
        if record is None:
            self._hooks.storage_lookup("miss")
        elif self._fresh(record):
            # Also for a refresh job: a fresh record means someone refreshed it already.
            self._hooks.storage_lookup("fresh_hit")
            return await self._profile(record)
        elif not force:
            profile = await self._profile(record)
            self._hooks.storage_lookup("stale_hit")
            # Stale: answer now, refresh in the background (a durable job).
            async with self._storage.transaction() as tx:
                tx.enqueue(
                    f"player:{record.blizzard_id}",
                    REFRESH_PLAYER,
                    {"player_id": pid.raw},
                    run_at=self._clock(),
                )
            return replace(profile, stale=True)
        try:
            record = await self._refresh(pid, record)
        except NotFoundError:
            previous = await self._storage.get_unknown_player(unknown_key(pid))
            raise await self._unknown.mark(unknown_key(pid), previous) from None
        if was_unknown:
            await self._unknown.clear(unknown_key(pid))
        return await self._profile(record)

    def _fresh(self, record: PlayerRecord) -> bool:
        return self._clock() - record.fetched_at < self._staleness

    async def _stored(self, pid: PlayerId) -> PlayerRecord | None:
        if pid.blizzard_id is not None:
            return await self._storage.get_player(pid.blizzard_id)
        if pid.battletag is not None:
            return await self._storage.find_player_by_battletag(pid.battletag)
        return None

    async def _profile(self, record: PlayerRecord) -> Profile:
        if record.parser_version != career_parser.PARSER_VERSION:
            record = await self._reparse(record)
        return Profile(record.blizzard_id, record.parsed, record.search_entry, record.fetched_at)

    async def _reparse(self, record: PlayerRecord) -> PlayerRecord:
        html = record.raw.decode("utf-8", "replace")
        parsed = await parse_off_loop(career_parser.parse_career, html)
        record = replace(record, parsed=parsed, parser_version=career_parser.PARSER_VERSION)
        await self._storage.put_player(record)
        return record

    async def _search(self, name: str) -> list[dict[str, Any]]:
        response = await self._upstream.get(search_path(name), page_type="search")
        return parse_search(response.content)

    async def _refresh(self, pid: PlayerId, record: PlayerRecord | None) -> PlayerRecord:
        """Ask Blizzard; reuse the stored page when `lastUpdated` says it did not change."""
        blizzard_id = pid.blizzard_id or (record.blizzard_id if record else None)
        name = pid.name or (record.name if record else None)
        entry: Entry | None = None
        if name is not None:
            entries = await self._search(name)
            if blizzard_id is None and pid.kind is PlayerIdKind.NAME:
                blizzard_id = _single_public_id(entries, name)
            if blizzard_id is not None:
                entry = match_entry(entries, blizzard_id, name)
        if (
            record is not None
            and entry is not None
            and (entry.get("last_updated") == record.last_updated_blizzard)
        ):
            touched = replace(record, search_entry=dict(entry), fetched_at=self._clock())
            await self._storage.put_player(touched)
            return touched
        response = await self._upstream.get(
            career_path(blizzard_id or pid.raw),
            page_type="career",
            accept_statuses=frozenset({200, 404}),
        )
        career = await _parse_career(response.status, response.text)
        blizzard_id = blizzard_id or blizzard_id_from_career_url(response.url)
        if blizzard_id is None:
            raise ParseError("career", "identity", "the career page has no Blizzard ID")
        username = career["summary"]["username"]
        if entry is None:
            entries = await self._search(username) if name is None else entries
            entry = match_entry(entries, blizzard_id, username)
        fresh = PlayerRecord(
            blizzard_id=blizzard_id,
            battletag=pid.battletag,
            name=username,
            raw=response.content,
            parsed=career,
            parser_version=career_parser.PARSER_VERSION,
            search_entry=dict(entry) if entry is not None else None,
            last_updated_blizzard=entry.get("last_updated") if entry is not None else None,
            fetched_at=self._clock(),
        )
        await self._storage.put_player(fresh)
        return fresh


async def _parse_career(status: int, html: str) -> JSONValue:
    try:
        return await parse_off_loop(career_parser.parse_career, html)
    except NotFoundError:
        if status == 404:
            raise
        # Blizzard answers unknown players with a 404; a 200 page without a profile is a
        # layout change, and must not put a real player on the unknown-player backoff.
        raise ParseError("career", "masthead", "the page has no player profile") from None


def _single_public_id(entries: Sequence[Entry], name: str) -> str | None:
    ids = {e["blizzard_id"] for e in entries if e["name"] == name and e["is_public"] is True}
    return ids.pop() if len(ids) == 1 else None
