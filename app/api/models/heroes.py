"""Response models of `/heroes`, `/heroes/{hero_key}` and `/roles` (OverFast v4 shapes)."""

from __future__ import annotations

from pydantic import Field

from app.api.models.common import ApiModel, Url
from app.domain.enums import BackgroundImageSize, HeroGamemode, MediaType

ROLE_DOC = "Role key: `damage`, `support` or `tank`."
SUBROLE_DOC = (
    "Sub-role key, e.g. `flanker`, `sharpshooter`, `medic`, `tactician`, `bruiser`, `stalwart`."
)


class HeroShort(ApiModel):
    key: str = Field(description="Hero key, as used in `/heroes/{hero_key}`.", examples=["ana"])
    name: str = Field(examples=["Ana"])
    portrait: Url
    role: str = Field(description=ROLE_DOC, examples=["support"])
    subrole: str = Field(description=SUBROLE_DOC, examples=["tactician"])
    gamemodes: list[HeroGamemode] = Field(
        description="Game modes the hero can be played in (always `quickplay`)."
    )


class HeroBackground(ApiModel):
    url: Url
    sizes: list[BackgroundImageSize]


class HitPoints(ApiModel):
    health: int = Field(ge=1)
    armor: int = Field(ge=0)
    shields: int = Field(ge=0)
    total: int = Field(ge=1)


class AbilityVideoLink(ApiModel):
    mp4: Url
    webm: Url


class AbilityVideo(ApiModel):
    thumbnail: Url
    link: AbilityVideoLink


class Ability(ApiModel):
    name: str
    description: str
    icon: Url
    video: AbilityVideo


class Perk(ApiModel):
    name: str
    description: str
    icon: Url


class Perks(ApiModel):
    minor: list[Perk]
    major: list[Perk]


class StadiumPower(ApiModel):
    name: str
    description: str
    icon: Url


class StoryMedia(ApiModel):
    type: MediaType
    link: Url


class StoryChapter(ApiModel):
    title: str
    content: str
    picture: Url


class HeroStory(ApiModel):
    summary: str
    media: StoryMedia | None
    chapters: list[StoryChapter]


class Hero(ApiModel):
    name: str = Field(examples=["Ana"])
    description: str
    portrait: Url | None = Field(description="From the heroes list; null if it is missing.")
    backgrounds: list[HeroBackground]
    role: str = Field(description=ROLE_DOC)
    subrole: str = Field(description=SUBROLE_DOC)
    location: str
    age: int | None = Field(ge=1)
    birthday: str | None = Field(description="Null when Blizzard gives it as unknown.")
    hitpoints: HitPoints | None = Field(description="Null for a hero our curated data lacks.")
    abilities: list[Ability]
    perks: Perks | None
    stadium_powers: list[StadiumPower] | None = Field(
        description="Null when the hero is not playable in Stadium."
    )
    story: HeroStory


class RoleDetail(ApiModel):
    key: str = Field(description=ROLE_DOC, examples=["tank"])
    name: str = Field(examples=["Tank"])
    icon: Url
    description: str
