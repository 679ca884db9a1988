"""Which of Blizzard's search entries is a given player: never a guess.

Entries are `app.parsers.search.parse_search`'s (`name`, `blizzard_id`, `battletag`,
`is_public`, ...). Blizzard's search is by name only, so several accounts may share it;
an entry is attached to a profile only when Blizzard itself ties them:

- by **Blizzard ID** (`match_entry`): the entry's `blizzard_id` is the profile's;
- by **BattleTag** (`tied_entry`), for a career page served at the BattleTag's own URL
  without a redirect: exactly one account whose entry names that BattleTag (its
  `battleTag`, or a `url` that is the BattleTag itself). Today's search names no
  BattleTag, so such a profile usually has no entry, and the summary's search-only fields
  (namecard, ...) are null;
- a bare **name** resolves to an account only when exactly one public account has it
  (`single_public_id`).

Example:
    >>> entries = [{"name": "Ana", "blizzard_id": "a%7Cb", "battletag": "Ana-1"}]
    >>> tied_entry(entries, "Ana-1")["blizzard_id"], tied_entry(entries, "Ana-2")
    ('a%7Cb', None)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.domain.player_ids import is_blizzard_id

Entry = Mapping[str, Any]


def match_entry(entries: Sequence[Entry], blizzard_id: str, name: str | None) -> Entry | None:
    """The search entry of `blizzard_id`, preferring one with the expected name."""
    same_id = [entry for entry in entries if entry["blizzard_id"] == blizzard_id]
    by_name = [entry for entry in same_id if entry["name"] == name]
    candidates = by_name or same_id
    return candidates[0] if candidates else None


def tied_entry(entries: Sequence[Entry], battletag: str) -> Entry | None:
    """The entry Blizzard ties to `battletag`, if exactly one account is tied to it."""
    tied = [e for e in entries if battletag in (e.get("battletag"), e["blizzard_id"])]
    accounts = {entry["blizzard_id"] for entry in tied}
    return tied[0] if len(accounts) == 1 else None


def single_public_id(entries: Sequence[Entry], name: str) -> str | None:
    """The Blizzard ID of the only public account named `name`, else None."""
    ids = {e["blizzard_id"] for e in entries if e["name"] == name and e["is_public"] is True}
    found = ids.pop() if len(ids) == 1 else None
    return found if found is not None and is_blizzard_id(found) else None
