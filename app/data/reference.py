"""Curated game facts that Blizzard's pages do not carry: hit points, maps and game modes.

The CSV files beside this module are the source of truth; they are read once, at import
time (a few kilobytes, before any event loop runs). Adding a map or a game mode is a data
change in these files, nothing else.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

_DATA_DIR: Final = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class HeroFacts:
    key: str
    name: str
    role: str
    health: int
    armor: int
    shields: int

    @property
    def hitpoints(self) -> dict[str, int]:
        total = self.health + self.armor + self.shields
        return {"health": self.health, "armor": self.armor, "shields": self.shields, "total": total}


@dataclass(frozen=True, slots=True)
class MapFacts:
    key: str
    name: str
    gamemodes: tuple[str, ...]
    location: str
    country_code: str | None


@dataclass(frozen=True, slots=True)
class GamemodeFacts:
    key: str
    name: str
    description: str


def _rows(file_name: str) -> list[dict[str, str]]:
    with (_DATA_DIR / file_name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _load_heroes() -> dict[str, HeroFacts]:
    return {
        row["key"]: HeroFacts(
            key=row["key"],
            name=row["name"],
            role=row["role"],
            health=int(row["health"]),
            armor=int(row["armor"]),
            shields=int(row["shields"]),
        )
        for row in _rows("heroes.csv")
    }


def _load_maps() -> tuple[MapFacts, ...]:
    return tuple(
        MapFacts(
            key=row["key"],
            name=row["name"],
            gamemodes=tuple(mode.strip() for mode in row["gamemodes"].split(",") if mode.strip()),
            location=row["location"],
            country_code=row["country_code"] or None,
        )
        for row in _rows("maps.csv")
    )


def _load_gamemodes() -> tuple[GamemodeFacts, ...]:
    return tuple(
        GamemodeFacts(key=row["key"], name=row["name"], description=row["description"])
        for row in _rows("gamemodes.csv")
    )


HEROES: Final = MappingProxyType(_load_heroes())
"""Hero key → facts. Heroes missing here still work; they just have no hit points."""
MAPS: Final = _load_maps()
GAMEMODES: Final = _load_gamemodes()
HERO_ROLES: Final = MappingProxyType({key: facts.role for key, facts in HEROES.items()})
