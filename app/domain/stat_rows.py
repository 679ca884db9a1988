"""One value per stat key: which of Blizzard's repeated stat rows a key's value is.

Blizzard lists some labels twice or three times in one hero's card ("Games Won" 574, 55,
55; all heroes' "Kill Streak - Best" 55, 35; "Time Spent on Fire - Most in Game" 601, 79;
"Healing Done" 6,515,110 then 6,513,360). The rows are kept as shown in `/stats`; wherever
one value per key is needed (`/stats/career`, `/stats/summary`) this is the rule, decided
per stat from the page's own consistency:

The value of a repeated key is the first of its rows that agrees with the rest of the
page, checked in this order (a check that no row passes, or that the page lacks the data
for, decides nothing):
1. `games_won` equals the hero's `games_played` − `games_lost`;
2. a total with an `<key>_avg_per_10_min` row agrees with it over `time_played`
   (within the average's rounding);
3. a `_most_in_game` / `_most_in_life` row does not exceed the hero's total of that stat;
4. for `all-heroes`, a `_most_in_game` / `_most_in_life` / `_best` row is at least the
   highest of the heroes' own values of that key, and preferably equal to it (a player's
   best is their best hero's, except in games where they switched heroes).
Rows that no check tells apart: the first one. Only keys with a single value in the hero's
cards serve as references (and, for check 4, the heroes' own resolved values), so the
result does not depend on the order the keys are resolved in.

On the captured pages this gives: `games_won` and `healing_done` their first row (the
second is the hero wins / a healing figure the average does not match),
`kill_streak_best` and `time_spent_on_fire_most_in_game` (all heroes) their last row (the
first repeats "Eliminations - Most in Game" and exceeds the page's total time on fire), and
`scoped_critical_hits_most_in_game` its first row (nothing on the page tells them apart).

    >>> stat_values({"ana": [{"category": "game", "label": "Game", "stats": [
    ...     {"key": "games_played", "label": "Games Played", "value": 30},
    ...     {"key": "games_won", "label": "Games Won", "value": 3},
    ...     {"key": "games_won", "label": "Games Won", "value": 20},
    ...     {"key": "games_lost", "label": "Games Lost", "value": 10}]}]})
    {'ana': {'game': {'games_played': 30, 'games_won': 20, 'games_lost': 10}}}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Final

from app.domain.player_career import ALL_HEROES, StatCategory, StatValue

type HeroValues = dict[str, dict[str, StatValue]]
"""`{category: {stat key: value}}` of one hero."""
type Check = Callable[[StatValue], bool]

_AVERAGE: Final = "_avg_per_10_min"
_AT_MOST_TOTAL: Final = ("_most_in_game", "_most_in_life")
_HEROES_BEST: Final = ("_most_in_game", "_most_in_life", "_best")


def stat_values(heroes: Mapping[str, list[StatCategory]]) -> dict[str, HeroValues]:
    """`{hero: {category: {stat key: value}}}` of one platform × gamemode's career stats,
    one value per key (see the module docstring for repeated rows)."""
    rows = {hero: _rows(categories) for hero, categories in heroes.items()}
    resolved = {hero: _resolve(found, {}) for hero, found in rows.items() if hero != ALL_HEROES}
    if ALL_HEROES in rows:
        resolved[ALL_HEROES] = _resolve(rows[ALL_HEROES], _best_of(resolved.values()))
    return {hero: resolved[hero] for hero in heroes}


def _rows(categories: list[StatCategory]) -> dict[str, dict[str, list[StatValue]]]:
    result: dict[str, dict[str, list[StatValue]]] = {}
    for category in categories:
        keys = result.setdefault(category["category"], {})
        for stat in category["stats"]:
            keys.setdefault(stat["key"], []).append(stat["value"])
    return result


def _best_of(heroes: Iterable[HeroValues]) -> dict[str, StatValue]:
    """The highest value of each key among the heroes."""
    best: dict[str, StatValue] = {}
    for values in heroes:
        for category in values.values():
            for key, value in category.items():
                best[key] = max(best.get(key, value), value)
    return best


def _resolve(
    rows: dict[str, dict[str, list[StatValue]]], heroes_best: Mapping[str, StatValue]
) -> HeroValues:
    # References: keys shown once (or with one value) anywhere in this hero's cards.
    single: dict[str, StatValue] = {}
    for keys in rows.values():
        for key, values in keys.items():
            if len(set(values)) == 1:
                single.setdefault(key, values[0])
    return {
        category: {key: _pick(key, values, single, heroes_best) for key, values in keys.items()}
        for category, keys in rows.items()
    }


def _pick(
    key: str,
    values: list[StatValue],
    single: Mapping[str, StatValue],
    heroes_best: Mapping[str, StatValue],
) -> StatValue:
    candidates = values
    if len(set(values)) > 1:
        for check in _checks(key, single, heroes_best):
            passing = [value for value in candidates if check(value)]
            if passing:
                candidates = passing
    return candidates[0]


def _checks(
    key: str, single: Mapping[str, StatValue], heroes_best: Mapping[str, StatValue]
) -> Iterator[Check]:
    """The page's consistency checks that apply to `key`, in the rule's order."""
    played, lost = single.get("games_played"), single.get("games_lost")
    if key == "games_won" and played is not None and lost is not None:
        yield lambda value: value == played - lost
    average, time_played = single.get(key + _AVERAGE), single.get("time_played")
    if average is not None and time_played:
        yield lambda value: abs(value * 600 / time_played - average) < 1
    suffix = next((s for s in _AT_MOST_TOTAL if key.endswith(s)), None)
    total = single.get(key.removesuffix(suffix)) if suffix else None
    if total is not None:
        yield lambda value: value <= total
    best = heroes_best.get(key) if key.endswith(_HEROES_BEST) else None
    if best is not None:
        yield lambda value: value >= best
        yield lambda value: value == best
