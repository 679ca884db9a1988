"""The player id and search name parameters, described as the domain checks them.

`app.domain.player_ids.parse_player_id` decides what an id is; these patterns say the
same in the OpenAPI schema (and FastAPI checks them first, so the 422 names the
parameter), so a client or a fuzzer reading the schema never sends a request it believes
valid only to have it refused. `tests/unit/api/test_player_params.py` proves the
pattern and the domain agree, both ways.

The rules: 1 to 64 characters, none of them a control character, `/` or `\\`, not only
white space; a `-` separates a name from its discriminator, so neither may be empty
(`-1234`, `Name-` are refused). A search name is the same, but not a Blizzard ID.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from app.domain.player_ids import MAX_PLAYER_ID_LENGTH

# Character classes written with escapes every regex dialect reads alike (Python, the
# JSON Schema/ECMA dialect, Rust's for pydantic-core), no lookarounds.
_FORBIDDEN = r"\x00-\x1f\x7f-\x9f/\\"
_SPACES = r"\x20\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"  # str.isspace()
_ANY = f"[^{_FORBIDDEN}]"
_NO_DASH = f"[^{_FORBIDDEN}-]"
_VISIBLE_NO_DASH = f"[^{_FORBIDDEN}{_SPACES}-]"

PLAYER_ID_PATTERN = (
    f"^(?:{_NO_DASH}*{_VISIBLE_NO_DASH}{_NO_DASH}*"  # a name, not only spaces
    f"|{_NO_DASH}+-{_ANY}+)$"  # or name-discriminator, neither empty (the `-` is visible)
)
BLIZZARD_ID_PATTERN = r"^[0-9a-fA-F]+(?:\||%7[cC])[0-9a-fA-F]+$"

PlayerIdPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=MAX_PLAYER_ID_LENGTH,
        pattern=PLAYER_ID_PATTERN,
        description="A BattleTag with `#` written `-` (`TeKrop-2217`, case-sensitive), a "
        "name, or a Blizzard ID (`<hex>|<hex>`, `|` may be written `%7C`). At most 64 "
        "characters, no control characters, `/` or `\\`, not only spaces; around a `-`, "
        "neither the name nor the discriminator may be empty.",
        examples=["TeKrop-2217"],
    ),
]
SearchName = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_PLAYER_ID_LENGTH,
        pattern=PLAYER_ID_PATTERN,
        json_schema_extra={"not": {"pattern": BLIZZARD_ID_PATTERN}},
        description="Player name, optionally with its BattleTag number (`TeKrop-2217`); "
        "same rules as a player id, and not a Blizzard ID.",
        examples=["TeKrop"],
    ),
]
