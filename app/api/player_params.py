"""The player id and search name parameters, described as the domain checks them.

`app.domain.player_ids` decides what an id or a name is, with one regular expression
each (`PLAYER_ID_PATTERN`, `NAME_PATTERN`); the schema publishes those same patterns (and
FastAPI checks them first, so the 422 names the parameter), so a client or a fuzzer
reading the schema never sends a request it believes valid only to have it refused.
`tests/unit/api/test_player_params.py` proves the schema and the domain agree, both ways.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from app.domain.player_ids import MAX_PLAYER_ID_LENGTH, NAME_PATTERN, PLAYER_ID_PATTERN

PlayerIdPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=MAX_PLAYER_ID_LENGTH,
        pattern=PLAYER_ID_PATTERN,
        description="A BattleTag with `#` written `-` (`TeKrop-2217`, case-sensitive), a "
        "name, or a Blizzard ID (`<hex>|<hex>`, `|` may be written `%7C`). A name is letters "
        "and digits (ASCII, or non-ASCII letters of the scripts Blizzard allows: no "
        "punctuation, symbols or spaces), a BattleTag number is ASCII digits. At most 64 "
        "characters.",
        examples=["TeKrop-2217"],
    ),
]
SearchName = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_PLAYER_ID_LENGTH,
        pattern=NAME_PATTERN,
        description="Player name (letters and digits), optionally with its BattleTag "
        "number (`TeKrop-2217`).",
        examples=["TeKrop"],
    ),
]
