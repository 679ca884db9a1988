"""Response models of `/players` (search) and `/players/{player_id}/summary`.

Every field is required, nullable ones included: the views always write every key, and a
required field documents that in the schema. Values coming from Blizzard that may grow
(competitive divisions, tiers, endorsement levels) are typed loosely on purpose, so a new
value is served instead of turning into a 500 (contract §10.2 item 9).
"""

from __future__ import annotations

from pydantic import Field

from app.api.models.common import ApiModel, Url

AVATAR_EXAMPLE = "https://d15f34w2p8l1cc.cloudfront.net/overwatch/daeddd96e58a2150afa6ffc3c5503ae7f96afc2e22899210d444f45dee508c6c.png"
NAMECARD_EXAMPLE = "https://d15f34w2p8l1cc.cloudfront.net/overwatch/55d8c21e9d8b14942c26c4028059b6cd3b4e2fea40a139821ecee73a0005126f.png"
BLIZZARD_ID_EXAMPLE = "c65b8798bc61d6ffbba120%7Ccfe9dd77a4382165e2b920bdcc035949"
LAST_UPDATED_DOC = "When Blizzard last updated the profile (Unix time, seconds); null if unknown."


class PlayerShort(ApiModel):
    """One account found by the player search."""

    player_id: str = Field(
        description="Identifier to use in the `/players/{player_id}` routes: the BattleTag "
        "(`#` written `-`) when it is known for sure, else the Blizzard ID.",
        examples=["TeKrop-2217", BLIZZARD_ID_EXAMPLE],
    )
    name: str = Field(description="Name shown in the game.", examples=["TeKrop"])
    avatar: Url | None = Field(description="Avatar image; null if none.", examples=[AVATAR_EXAMPLE])
    namecard: Url | None = Field(
        description="Namecard (banner) image; null if none.", examples=[NAMECARD_EXAMPLE]
    )
    title: str | None = Field(
        description="Title shown under the name, if any.", examples=["Harbinger"]
    )
    career_url: Url = Field(
        description="This API's URL of the player's full career (`GET /players/{player_id}`).",
        examples=[f"https://overfast-api.tekrop.fr/players/{BLIZZARD_ID_EXAMPLE}"],
    )
    blizzard_id: str = Field(
        description="Blizzard's own identifier of the account (hexadecimal, `|` written `%7C`).",
        examples=[BLIZZARD_ID_EXAMPLE],
    )
    last_updated_at: int | None = Field(description=LAST_UPDATED_DOC, examples=[1678536999])
    is_public: bool | None = Field(
        description="Whether the career profile is public (always true: private accounts are "
        "left out).",
        examples=[True],
    )


class PlayerSearchResult(ApiModel):
    """One page of the accounts whose name matches the search."""

    total: int = Field(
        ge=0, description="Number of matching accounts, before pagination.", examples=[1]
    )
    results: list[PlayerShort] = Field(
        description="The matching accounts of the requested page, in the requested order."
    )


class PlayerEndorsement(ApiModel):
    level: int = Field(
        description="Endorsement level (0 to 5 today; 0 when the page does not show it).",
        examples=[3],
    )
    frame: Url = Field(
        description="Image of the endorsement frame for this level.",
        examples=[
            "https://static.playoverwatch.com/img/pages/career/icons/endorsement/3-8ccb5f0aef.svg#icon"
        ],
    )


class PlayerCompetitiveRank(ApiModel):
    """A rank in one role queue."""

    division: str = Field(
        description="Division: `bronze`, `silver`, `gold`, `platinum`, `diamond`, `master`, "
        "`grandmaster` or `ultimate` (a division Blizzard adds is passed through).",
        examples=["diamond"],
    )
    tier: int = Field(
        description="Tier inside the division, 1 (best) to 5, as Blizzard shows it.",
        examples=[3],
    )
    role_icon: Url = Field(description="Icon of the role.")
    rank_icon: Url = Field(description="Icon of the division.")
    tier_icon: Url = Field(description="Icon of the tier.")


class PlatformCompetitiveRanksContainer(ApiModel):
    """Ranks on one platform, in the last season the player played competitive there."""

    season: int | None = Field(
        description="That season's number (Blizzard sometimes reports 0); null if unknown.",
        examples=[22],
    )
    tank: PlayerCompetitiveRank | None = Field(description="Tank rank; null if unranked.")
    damage: PlayerCompetitiveRank | None = Field(description="Damage rank; null if unranked.")
    support: PlayerCompetitiveRank | None = Field(description="Support rank; null if unranked.")
    open: PlayerCompetitiveRank | None = Field(description="Open Queue rank; null if unranked.")


class PlayerCompetitiveRanksContainer(ApiModel):
    pc: PlatformCompetitiveRanksContainer | None = Field(
        description="Ranks on PC; null if the player has none there."
    )
    console: PlatformCompetitiveRanksContainer | None = Field(
        description="Ranks on console; null if the player has none there."
    )


class PlayerSummary(ApiModel):
    """Who the player is: name, images, endorsement and competitive ranks."""

    username: str = Field(description="Name shown on the career page.", examples=["TeKrop"])
    avatar: Url | None = Field(description="Avatar image; null if none.", examples=[AVATAR_EXAMPLE])
    namecard: Url | None = Field(
        description="Namecard (banner) image, known from the player search only; null if none.",
        examples=[NAMECARD_EXAMPLE],
    )
    title: str | None = Field(
        description="Title shown under the name, if any.", examples=["Harbinger"]
    )
    endorsement: PlayerEndorsement | None = Field(
        description="Endorsement level and frame; null if the page does not show them."
    )
    competitive: PlayerCompetitiveRanksContainer | None = Field(
        description="Competitive ranks per platform; null when the player has none on either "
        "platform (private profile, or never played competitive)."
    )
    last_updated_at: int | None = Field(description=LAST_UPDATED_DOC, examples=[1678536999])
