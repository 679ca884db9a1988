"""Home page (`/{locale}/`) → the `/roles` body (RoleDetail items), in page order.

The heroes feature carousel shows one tab icon per role and, in the same order, one slide
with the role's name and description; the key is the icon's file name.

Example:
    >>> page = (
    ...     '<main><div class="homepage-features-heroes"><blz-feature-carousel-section>'
    ...     '<blz-tab-controls><blz-tab-control><blz-image src="https://x/Tank.svg">'
    ...     "</blz-image></blz-tab-control></blz-tab-controls>"
    ...     "<blz-feature><blz-header><h3>TANK</h3><div><p>Lead.</p></div></blz-header>"
    ...     "</blz-feature></blz-feature-carousel-section></div></main></html>"
    ... )
    >>> parse_roles(page)
    [{'key': 'tank', 'name': 'Tank', 'icon': 'https://x/Tank.svg', 'description': 'Lead.'}]
"""

from __future__ import annotations

from typing import Any

from app.domain.enums import Role
from app.parsers._html import Node, PageReader, url_stem

PARSER_VERSION: int = 1

_page = PageReader("roles")
_ROLES = frozenset(role.value for role in Role)


def parse_roles(html: str) -> list[dict[str, Any]]:
    """`[{key, name, icon, description}]`, one per role shown on the home page.

    Raises `ParseError` (page `roles`) when the carousel is missing, icons and slides do not
    pair up, or an icon is not one of the API's roles.
    """
    root = _page.main_content(html)
    carousel = _page.one(
        root, "div.homepage-features-heroes blz-feature-carousel-section", "carousel"
    )
    # The carousel repeats tabs and slides for small screens inside a nested
    # `blz-carousel`: only its direct children (the desktop version) are read.
    controls = next((c for c in carousel.iter() if c.tag == "blz-tab-controls"), None)
    if controls is None:
        raise _page.error("icons", "no blz-tab-controls in the heroes carousel")
    icons = [
        _page.attr(_page.one(tab, "blz-image", "icons"), "src", "icons")
        for tab in controls.iter()
        if tab.tag == "blz-tab-control"
    ]
    features = [child for child in carousel.iter() if child.tag == "blz-feature"]
    if not icons or len(icons) != len(features):
        raise _page.error("features", f"{len(icons)} role icons for {len(features)} slides")
    return [_role(icon, feature) for icon, feature in zip(icons, features, strict=True)]


def _role(icon: str, feature: Node) -> dict[str, Any]:
    key = url_stem(icon)
    if key not in _ROLES:
        raise _page.error("icons", f"unknown role icon {icon!r}")
    header = _page.one(feature, "blz-header", "features")
    return {
        "key": key,
        "name": _page.text(header, "h3", "features").capitalize(),
        "icon": icon,
        "description": _page.text(header, "div", "features"),
    }
