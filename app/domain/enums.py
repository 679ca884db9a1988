"""Enumerations of the public contract (values identical to OverFast API v4).

Hero keys, map keys and game modes are deliberately *not* hard-coded enums here: heroes
come from the upstream heroes list and maps/game modes from `app/data/`.
"""

from __future__ import annotations

from enum import StrEnum


class Locale(StrEnum):
    GERMAN = "de-de"
    ENGLISH_EU = "en-gb"
    ENGLISH_US = "en-us"
    SPANISH_EU = "es-es"
    SPANISH_LATIN = "es-mx"
    FRENCH = "fr-fr"
    ITALIANO = "it-it"
    JAPANESE = "ja-jp"
    KOREAN = "ko-kr"
    POLISH = "pl-pl"
    PORTUGUESE_BRAZIL = "pt-br"
    RUSSIAN = "ru-ru"
    CHINESE_TAIWAN = "zh-tw"


class Role(StrEnum):
    DAMAGE = "damage"
    SUPPORT = "support"
    TANK = "tank"


class SubRole(StrEnum):
    FLANKER = "flanker"
    RECON = "recon"
    SHARPSHOOTER = "sharpshooter"
    SPECIALIST = "specialist"
    MEDIC = "medic"
    SURVIVOR = "survivor"
    TACTICIAN = "tactician"
    BRUISER = "bruiser"
    INITIATOR = "initiator"
    STALWART = "stalwart"


class HeroGamemode(StrEnum):
    QUICKPLAY = "quickplay"
    STADIUM = "stadium"


class BackgroundImageSize(StrEnum):
    MIN = "min"
    XS = "xs"
    SM = "sm"
    MD = "md"
    LG = "lg"
    XL_PLUS = "xl+"


class MediaType(StrEnum):
    COMIC = "comic"
    SHORT_STORY = "short-story"
    VIDEO = "video"


class PlayerGamemode(StrEnum):
    QUICKPLAY = "quickplay"
    COMPETITIVE = "competitive"


class PlayerPlatform(StrEnum):
    CONSOLE = "console"
    PC = "pc"


class PlayerRegion(StrEnum):
    EUROPE = "europe"
    AMERICAS = "americas"
    ASIA = "asia"


class CompetitiveDivision(StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"
    DIAMOND = "diamond"
    MASTER = "master"
    GRANDMASTER = "grandmaster"
    ULTIMATE = "ultimate"


class CompetitiveDivisionFilter(StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"
    DIAMOND = "diamond"
    MASTER = "master"
    GRANDMASTER = "grandmaster"
