"""Maps and game modes, from curated data (no upstream page carries them)."""

from __future__ import annotations

from collections.abc import Sequence

from app.data.reference import GamemodeFacts, MapFacts
from app.ports import Clock
from app.services.results import Result


class ReferenceService:
    def __init__(
        self,
        *,
        maps: Sequence[MapFacts],
        gamemodes: Sequence[GamemodeFacts],
        static_url: str,
        clock: Clock,
    ) -> None:
        self._maps = maps
        self._gamemodes = gamemodes
        self._static_url = static_url
        self._clock = clock

    def list_maps(self, gamemode: str | None = None) -> Result:
        maps = [
            {
                "key": m.key,
                "name": m.name,
                "screenshot": f"{self._static_url}/maps/{m.key}.jpg",
                "gamemodes": list(m.gamemodes),
                "location": m.location,
                "country_code": m.country_code,
            }
            for m in self._maps
            if gamemode is None or gamemode in m.gamemodes
        ]
        return Result(maps, self._clock())

    def list_gamemodes(self) -> Result:
        gamemodes = [
            {
                "key": g.key,
                "name": g.name,
                "icon": f"{self._static_url}/gamemodes/{g.key}-icon.svg",
                "description": g.description,
                "screenshot": f"{self._static_url}/gamemodes/{g.key}.avif",
            }
            for g in self._gamemodes
        ]
        return Result(gamemodes, self._clock())
