"""The hero page's sections below the header: abilities, perks, Stadium powers, story.

Used by `app.parsers.hero`; each function takes the node holding its section and raises
`ParseError` (page `hero`, section `abilities`/`perks`/`stadium`/`story`) when it is broken.
Counts are never assumed (4 abilities, 2+2 perks, 12 powers): what the page shows is
returned.
"""

from __future__ import annotations

from typing import Any

from app.parsers._html import Node, PageReader, absolute_url, classes, one_line, text_of

_page = PageReader("hero")
_PERK_CATEGORIES = ("minor", "major")


def abilities(container: Node) -> list[dict[str, Any]]:
    """`[{name, description, icon, video: {thumbnail, link: {mp4, webm}}}]` in page order.

    Name and icon come from the tab controls, descriptions from the slides and videos from
    the section background, all in the same order (zipped by index).
    """
    carousel = _page.one(container, "blz-carousel-section blz-carousel", "abilities")
    controls = carousel.css("blz-tab-controls blz-tab-control")
    slides = carousel.css("blz-feature")
    videos = container.css("blz-web-video")
    if not controls or not len(controls) == len(slides) == len(videos):
        raise _page.error(
            "abilities",
            f"{len(controls)} tabs, {len(slides)} descriptions and {len(videos)} videos",
        )
    return [
        {
            "name": _page.attr(control, "label", "abilities"),
            "description": one_line(_page.text(slide, "p", "abilities")),
            "icon": _src(control, "blz-image", "abilities"),
            "video": {
                "thumbnail": _page.attr(video, "poster", "abilities"),
                "link": {
                    "mp4": _page.attr(video, "mp4", "abilities"),
                    "webm": _page.attr(video, "webm", "abilities"),
                },
            },
        }
        for control, slide, video in zip(controls, slides, videos, strict=True)
    ]


def perks(root: Node) -> dict[str, list[dict[str, Any]]] | None:
    """`{minor: [perk], major: [perk]}` with perk = `{name, description, icon}`; None when
    the page has no perks section."""
    section = root.css_first("blz-section#perks")
    if section is None:
        return None
    result: dict[str, list[dict[str, Any]]] = {}
    for category in _PERK_CATEGORIES:
        node = _page.one(section, f"div.perk-category.{category}", "perks")
        result[category] = [_perk(details) for details in node.css("div.perk-details")]
        if not result[category]:
            raise _page.error("perks", f"no {category} perk")
    return result


def _perk(details: Node) -> dict[str, Any]:
    info = _page.one(details, "div.perk-info", "perks")
    return {
        "name": _page.text(info, "h3", "perks"),
        "description": one_line(_page.text(info, "div[slot=description]", "perks")),
        "icon": _src(details, "img", "perks"),
    }


def stadium_powers(root: Node) -> list[dict[str, Any]] | None:
    """`[{name, description, icon}]`; None when the hero is not playable in Stadium.

    Descriptions keep Blizzard's text as is (line breaks and trailing spaces included),
    as OverFast does.
    """
    wrapper = root.css_first("div.stadium-wrapper")
    if wrapper is None:
        return None
    # The page repeats the deck (a carousel, then a scrollable copy for small screens), so
    # only the cards sharing the first card's parent are taken, whatever that parent is.
    first = _page.one(wrapper, "blz-section#stadium blz-card.talent-card", "stadium")
    deck = first.parent if first.parent is not None else wrapper
    return [
        {
            "name": _page.text(card, "p.talent-name", "stadium"),
            "description": _page.text(card, "p.talent-desc", "stadium", strip=False),
            "icon": _src(card, "img", "stadium"),
        }
        for card in deck.iter()
        if card.tag == "blz-card" and "talent-card" in classes(card)
    ]


def story(root: Node, site_url: str) -> dict[str, Any]:
    """`{summary, media: {type, link} | None, chapters: [{title, content, picture}]}`."""
    lore = _page.one(root, "blz-section.lore", "story")
    showcase = _page.one(lore, "blz-showcase", "story")
    accordion = _page.one(lore, "blz-accordion-section blz-accordion", "story")
    return {
        # Blizzard hard-wraps some summaries; OverFast drops those line breaks (no space).
        "summary": text_of(_page.one(showcase, "blz-header p", "story")).replace("\n", ""),
        "media": _media(showcase, site_url),
        "chapters": _chapters(accordion),
    }


def _media(showcase: Node, site_url: str) -> dict[str, str] | None:
    video = showcase.css_first("blz-youtube-video[youtube-id]")
    if video is not None:
        return {
            "type": "video",
            "link": f"https://youtu.be/{_page.attr(video, 'youtube-id', 'story')}",
        }
    button = showcase.css_first("blz-button[href]")
    if button is None:
        return None
    kind = "short-story" if button.attributes.get("analytics-label") == "short-story" else "comic"
    return {"type": kind, "link": absolute_url(_page.attr(button, "href", "story"), site_url)}


def _chapters(accordion: Node) -> list[dict[str, Any]]:
    # One pass over the accordion's children: a label opens a chapter, the following
    # content and picture slots fill it in (no index zipping that a stray node could shift).
    chapters: list[dict[str, Any]] = []
    for child in accordion.iter():
        slot = child.attributes.get("slot") or ""
        if slot == "label":
            chapters.append({"title": _page.text(child, None, "story").capitalize()})
        elif not chapters:
            continue
        elif slot == "content":
            # Paragraphs (`p`, and the odd `pr`) joined by a space, each kept as written.
            paragraphs = (node.text(deep=True) for node in child.iter())
            chapters[-1]["content"] = " ".join(paragraphs).strip()
        elif slot.startswith("optional") and "picture" not in chapters[-1]:
            chapters[-1]["picture"] = _src(child, "blz-image", "story")
    for chapter in chapters:
        if "content" not in chapter or "picture" not in chapter:
            raise _page.error("story", f"chapter {chapter['title']!r} lacks content or picture")
    return [
        {"title": c["title"], "content": c["content"], "picture": c["picture"]} for c in chapters
    ]


def _src(node: Node, selector: str, section: str) -> str:
    return _page.attr(_page.one(node, selector, section), "src", section)
