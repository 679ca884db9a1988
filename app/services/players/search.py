"""Player search: Blizzard's account search, with BattleTags verified from storage."""

from __future__ import annotations

from app.domain.errors import InvalidInputError
from app.domain.player_ids import search_path
from app.parsers.search import parse_search, search_players
from app.ports import Clock, JSONValue, Storage, Upstream
from app.services.results import Result
from app.services.single_flight import SingleFlight


class PlayerSearch:
    def __init__(
        self, storage: Storage, upstream: Upstream, clock: Clock, *, app_base_url: str
    ) -> None:
        self._storage = storage
        self._upstream = upstream
        self._clock = clock
        self._app_base_url = app_base_url
        self._flight = SingleFlight[list[dict[str, JSONValue]]]()

    async def search(self, name: str, *, order_by: str, offset: int, limit: int) -> Result:
        """Public accounts named like `name` (the part before `-`), one page of them.

        A BattleTag query is echoed as `player_id` only for the account its discriminator
        was verified to belong to (a stored BattleTag → Blizzard ID mapping).
        """
        try:
            path = search_path(name)
        except ValueError as exc:
            raise InvalidInputError(f"Invalid name: {exc}") from None
        entries = await self._flight.run(path, lambda: self._fetch(path))
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
        return Result(body, self._clock())

    async def _fetch(self, path: str) -> list[dict[str, JSONValue]]:
        response = await self._upstream.get(path, page_type="search")
        return parse_search(response.content)
