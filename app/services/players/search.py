"""Player search: Blizzard's account search, with BattleTags verified from storage.

One upstream search per name serves every page and order of it: the parsed entries are
kept in the `Cache` port for the search lifetime (`ttl`) and paged and sorted locally,
so ten pages of one name cost one Blizzard call, not ten.
"""

from __future__ import annotations

import json
import logging

from app.domain.errors import InvalidInputError
from app.domain.player_ids import search_path
from app.parsers.search import parse_search, search_players
from app.ports import Cache, Clock, JSONValue, Storage, Upstream
from app.services.results import Result
from app.services.single_flight import SingleFlight

logger = logging.getLogger(__name__)

Entries = list[dict[str, JSONValue]]
KEY_PREFIX = "search-entries:"


class PlayerSearch:
    def __init__(
        self,
        storage: Storage,
        upstream: Upstream,
        clock: Clock,
        *,
        app_base_url: str,
        cache: Cache,
        ttl: float,
    ) -> None:
        self._storage = storage
        self._upstream = upstream
        self._clock = clock
        self._app_base_url = app_base_url
        self._cache = cache
        self._ttl = ttl
        self._flight = SingleFlight[tuple[Entries, float]]()

    async def search(self, name: str, *, order_by: str, offset: int, limit: int) -> Result:
        """Public accounts named like `name` (the part before `-`), one page of them.

        A BattleTag query is echoed as `player_id` only for the account its discriminator
        was verified to belong to (a stored BattleTag → Blizzard ID mapping).
        """
        try:
            path = search_path(name)
        except ValueError as exc:
            raise InvalidInputError(
                f"Invalid name: {exc}", location=("query", "name"), value=name
            ) from None
        entries, fetched_at = await self._flight.run(path, lambda: self._entries(path))
        verified: dict[str, str] = {}
        if "-" in name:
            record = await self._storage.find_player_by_battletag(name)
            if record is not None and record.blizzard_id is not None:
                verified[name] = record.blizzard_id
        body = search_players(
            entries,
            name=name,
            order_by=order_by,
            offset=offset,
            limit=limit,
            app_base_url=self._app_base_url,
            verified=verified,
        )
        return Result(body, fetched_at)

    async def _entries(self, path: str) -> tuple[Entries, float]:
        """The parsed upstream search and when it was fetched: kept, or fetched now."""
        key = KEY_PREFIX + path
        kept = _decode(await self._cache.get(key))
        if kept is not None:
            return kept
        response = await self._upstream.get(path, page_type="search")
        entries, fetched_at = parse_search(response.content), self._clock()
        value = json.dumps({"fetched_at": fetched_at, "entries": entries}).encode()
        await self._cache.set(key, value, self._ttl)
        return entries, fetched_at


def _decode(raw: bytes | None) -> tuple[Entries, float] | None:
    """A kept search, or None when absent or unreadable (then it is fetched again)."""
    if raw is None:
        return None
    try:
        kept = json.loads(raw)
        return list(kept["entries"]), float(kept["fetched_at"])
    except (ValueError, KeyError, TypeError) as exc:
        logger.warning("unreadable kept search entries, fetched again: %s", exc)
        return None
