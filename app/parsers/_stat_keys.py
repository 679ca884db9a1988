"""Career-page labels → keys, exactly as OverFast API v4 names them (a client reads by key).

- `snake_case`: the label in snake_case. Accents are dropped, `"- "` is removed, then every
  other character that is not an ASCII letter or digit, and every lower→upper case change,
  becomes one `_` (a doubled space gives `__`); leading and trailing `_` are trimmed.
- `stat_key` (stat rows): `snake_case`, then OverFast's fixed singular → plural table.
  Blizzard writes a label in the singular when its value is 1 ("Turret Kill"); a stat in the
  table always gets its plural key (`turret_kills`), also followed by `_avg_per_10_min`,
  `_most_in_game` or `_most_in_life`. Any other key is kept as the label gives it, so a stat
  outside the table is singular when Blizzard's label is (`knockback_kill`, but
  `knockback_kills` for 2), and so is a table stat with another suffix
  (`amplification_matrix_assist_best_in_game`): OverFast's keys, which clients look up.
- `category_key` (stat cards: "Hero Specific" → `hero_specific`): `snake_case` alone.
- `comparison_key` (top-heroes categories): stable plural keys whatever the label's number
  ("Game Won" and "Games Won" are both `games_won`), which are OverFast's category keys.

Pure and memoised: a career page repeats a few hundred labels thousands of times.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

_SEPARATOR: Final = re.compile(r"[^A-Za-z0-9]|(?<=[a-z])(?=[A-Z])")

# OverFast's table, as a fact of its contract. By hero ("" = every hero), the singular keys
# whose plural adds an "s" to the last word…
_REGULAR: Final = {
    "": "assist critical_hit critical_hit_kill death defensive_assist elimination "
    "environmental_kill final_blow long_range_final_blow melee_final_blow melee_kill multikill "
    "objective_kill offensive_assist recon_assist solo_kill scoped_critical_hit",
    "ana": "biotic_grenade_kill nano_boost_assist",
    "ashe": "bob_kill coach_gun_kill dynamite_kill",
    "baptiste": "amplification_matrix_assist",
    "bastion": "assault_kill recon_kill tactical_grenade_kill tank_kill",
    "cassidy": "deadeye_kill fan_the_hammer_kill magnetic_grenade_kill",
    "dva": "call_mech_kill micro_missile_kill self_destruct_kill",
    "doomfist": "meteor_strike_kill",
    "echo": "focusing_beam_kill sticky_bombs_direct_hit sticky_bombs_kill",
    "genji": "dragonblade_kill",
    "hanzo": "dragonstrike_kill storm_arrow_kill",
    "junker-queen": "carnage_kill jagged_blade_kill rampage_kill",
    "junkrat": "concussion_mine_kill rip_tire_kill",
    "kiriko": "kitsune_rush_assist kunai_kill",
    "lifeweaver": "thorn_volley_kill",
    "mei": "blizzard_kill",
    "mercy": "blaster_kill",
    "moira": "biotic_orb_kill coalescence_kill",
    "orisa": "energy_javelin_kill javelin_spin_kill terra_surge_kill",
    "pharah": "barrage_kill rocket_direct_hit",
    "ramattra": "annihilation_kill pummel_kill ravenous_vortex_kill",
    "reaper": "death_blossom_kill",
    "reinhardt": "charge_kill earthshatter_kill fire_strike_kill",
    "roadhog": "chain_hook_kill whole_hog_kill",
    "sigma": "accretion_kill gravitic_flux_kill",
    "sojourn": "charged_shot_kill disruptor_shot_kill overclock_kill",
    "soldier-76": "helix_rocket_kill tactical_visor_kill",
    "sombra": "low_health_teleport",
    "symmetra": "sentry_turret_kill",
    "torbjorn": "molten_core_kill overload_kill turret_kill",
    "tracer": "low_health_recall pulse_bomb_kill",
    "widowmaker": "venom_mine_kill",
    "winston": "jump_kill jump_pack_kill primal_rage_kill weapon_kill",
    "wrecking-ball": "grappling_claw_kill minefield_kill piledriver_kill",
    "zarya": "graviton_surge_kill high_energy_kill",
    "zenyatta": "charged_volley_kill",
}
# …those whose plural is another word ("Enemy Slept" → `enemies_slept`)…
_IRREGULAR: Final = {
    "player_knocked_back": "players_knocked_back",
    "enemy_slept": "enemies_slept",
    "immortality_field_death_prevented": "immortality_field_deaths_prevented",
    "whipshot_attempted": "whipshots_attempted",
    "enemy_trapped": "enemies_trapped",
    "negative_effect_cleansed": "negative_effects_cleansed",
    "life_grip_death_prevented": "life_grip_deaths_prevented",
    "sound_barrier_provided": "sound_barriers_provided",
    "enemy_frozen": "enemies_frozen",
    "player_resurrected": "players_resurrected",
    "enemy_hacked": "enemies_hacked",
    "player_teleported": "players_teleported",
    "pulse_bomb_attached": "pulse_bombs_attached",
}
# …the suffixes the two lists above also take…
_SUFFIXES: Final = ("avg_per_10_min", "most_in_game", "most_in_life")
# …and keys made plural only as they are, never with a suffix.
_WHOLE_ONLY: Final = {
    "game_lost": "games_lost",
    "game_played": "games_played",
    "game_won": "games_won",
    "hero_win": "hero_wins",
    "card": "cards",
}


def _plural_keys() -> dict[str, str]:
    plurals = {key: f"{key}s" for keys in _REGULAR.values() for key in keys.split()}
    plurals |= _IRREGULAR
    table = {
        f"{key}_{end}": f"{plural}_{end}" for key, plural in plurals.items() for end in _SUFFIXES
    }
    return table | plurals | _WHOLE_ONLY


_PLURAL_KEYS: Final = _plural_keys()
# Top-heroes categories OverFast named in the plural besides the table's (its "real category
# names": "Elimination per Life", "Objective Kill").
_COMPARISON_PLURALS: Final = {
    "elimination_per_life": "eliminations_per_life",
    "objective_kill": "objective_kills",
}


@functools.lru_cache(maxsize=4096)
def snake_case(label: str) -> str:
    """A label in snake_case, OverFast's way.

    >>> snake_case("Eliminations - Most in Game"), snake_case("Torbjörn Kills")
    ('eliminations_most_in_game', 'torbjorn_kills')
    >>> snake_case("Biotic Orb Kills  - Avg per 10 Min"), snake_case("highEnergy Kill")
    ('biotic_orb_kills__avg_per_10_min', 'high_energy_kill')
    """
    decomposed = unicodedata.normalize("NFKD", label)
    text = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("- ", "")
    return _SEPARATOR.sub("_", text).strip("_").lower()


@functools.lru_cache(maxsize=4096)
def stat_key(label: str) -> str:
    """A stat row's label → its key: OverFast's plural for a stat of its table, else as is.

    >>> stat_key("Turret Kill - Most in Game"), stat_key("Enemy Slept"), stat_key("Game Won")
    ('turret_kills_most_in_game', 'enemies_slept', 'games_won')
    >>> stat_key("Knockback Kill"), stat_key("Knockback Kills"), stat_key("Multikill - Best")
    ('knockback_kill', 'knockback_kills', 'multikill_best')
    """
    key = snake_case(label)
    return _PLURAL_KEYS.get(key, key)


def category_key(label: str) -> str:
    """A stat card's header → its category key.

    >>> category_key("Hero Specific"), category_key("Match Awards")
    ('hero_specific', 'match_awards')
    """
    return snake_case(label)


@functools.lru_cache(maxsize=256)
def comparison_key(label: str) -> str:
    """A top-heroes category's label → its key, plural whatever the label's number.

    >>> comparison_key("Game Won"), comparison_key("Elimination per Life")
    ('games_won', 'eliminations_per_life')
    >>> comparison_key("Solo Kill - Avg per 10 Min"), comparison_key("Kill Streak - Best")
    ('solo_kills_avg_per_10_min', 'kill_streak_best')
    """
    key = snake_case(label)
    return _COMPARISON_PLURALS.get(key) or _PLURAL_KEYS.get(key, key)
