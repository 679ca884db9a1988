"""Ways to break a captured page, for the parsers' "fails loudly, never crashes" tests."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from selectolax.lexbor import LexborHTMLParser

from app.domain.errors import NotFoundError, ParseError

GONE = "x-gone"
# Attributes the HTML parsers read; renaming one must give a ParseError or a valid result.
READ_ATTRIBUTES = (
    "src",
    "href",
    "label",
    "poster",
    "mp4",
    "webm",
    "bp",
    "slot",
    "youtube-id",
    "analytics-label",
    "data-role",
    "data-subrole",
    "id",
)


def without(html: str, selector: str) -> str:
    """The page re-serialised with every element matching `selector` removed."""
    tree = LexborHTMLParser(html)
    matches = tree.css(selector)
    assert matches, f"nothing matches {selector!r}: the test would not break anything"
    for node in matches:
        node.decompose()
    serialised = tree.html
    assert serialised is not None
    return serialised


def replaced(html: str, old: str, new: str) -> str:
    """`html` with `old` replaced by `new`, asserting `old` was there (so the test bites)."""
    assert old in html, f"{old!r} is not in the page: the test would not break anything"
    return html.replace(old, new)


def rename_class(html: str, token: str) -> str:
    """Every `class` attribute with the class `token` renamed."""

    def rename(match: re.Match[str]) -> str:
        classes = [GONE if name == token else name for name in match[1].split()]
        return f'class="{" ".join(classes)}"'

    return re.sub(r'class="([^"]*)"', rename, html)


def mutations(html: str, classes: Iterable[str]) -> Iterator[tuple[str, str]]:
    """`(label, page)` variants renaming, one at a time, every tag used in the page, every
    attribute the parsers read, and each of `classes`."""
    for tag in sorted(set(re.findall(r"<([a-z][a-z0-9-]*)[\s>/]", html))):
        yield f"<{tag}>", re.sub(rf"(</?){re.escape(tag)}(?=[\s>/])", rf"\1{GONE}", html)
    for attribute in READ_ATTRIBUTES:
        yield f"[{attribute}]", re.sub(rf"(?<=\s){re.escape(attribute)}=", f"{GONE}=", html)
    for token in classes:
        yield f".{token}", rename_class(html, token)


def attempt[T](parse: Callable[[str], T], page: str) -> T | ParseError | NotFoundError:
    """`parse(page)`, or the ParseError/NotFoundError it raised; any other exception
    propagates (and fails the calling test)."""
    try:
        return parse(page)
    except (ParseError, NotFoundError) as exc:
        return exc
