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


class CompetitiveRole(StrEnum):
    DAMAGE = "damage"
    SUPPORT = "support"
    TANK = "tank"
    OPEN = "open"


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


class CareerStatCategory(StrEnum):
    ASSISTS = "assists"
    AVERAGE = "average"
    BEST = "best"
    COMBAT = "combat"
    GAME = "game"
    HERO_SPECIFIC = "hero_specific"
    MATCH_AWARDS = "match_awards"
    MISCELLANEOUS = "miscellaneous"


class CareerHeroesComparisonsCategory(StrEnum):
    TIME_PLAYED = "time_played"
    GAMES_WON = "games_won"
    WIN_PERCENTAGE = "win_percentage"
    WEAPON_ACCURACY_BEST_IN_GAME = "weapon_accuracy_best_in_game"
    ELIMINATIONS_PER_LIFE = "eliminations_per_life"
    KILL_STREAK_BEST = "kill_streak_best"
    MULTIKILL_BEST = "multikill_best"
    ELIMINATIONS_AVG_PER_10_MIN = "eliminations_avg_per_10_min"
    DEATHS_AVG_PER_10_MIN = "deaths_avg_per_10_min"
    FINAL_BLOWS_AVG_PER_10_MIN = "final_blows_avg_per_10_min"
    SOLO_KILLS_AVG_PER_10_MIN = "solo_kills_avg_per_10_min"
    OBJECTIVE_KILLS_AVG_PER_10_MIN = "objective_kills_avg_per_10_min"
    OBJECTIVE_TIME_AVG_PER_10_MIN = "objective_time_avg_per_10_min"
    HERO_DAMAGE_DONE_AVG_PER_10_MIN = "hero_damage_done_avg_per_10_min"
    HEALING_DONE_AVG_PER_10_MIN = "healing_done_avg_per_10_min"
