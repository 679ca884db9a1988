"""Small helpers shared by the HTML parsers (selectolax, lexbor backend).

Every lookup that can fail raises `ParseError(page_type, section, detail)`, so a page that
Blizzard changed (or that arrived truncated) names the exact place that broke instead of
surfacing as a bare `AttributeError`/`IndexError`. Bind the page type once:

    >>> page = PageReader("hero")
    >>> root = page.main_content("<html><main><h2> Ana </h2></main></html>")
    >>> page.text(root, "h2", "page-header")
    'Ana'
    >>> page.text(root, "h3", "page-header")
    Traceback (most recent call last):
    ...
    app.domain.errors.ParseError: Could not parse the hero page (page-header): no 'h3' element
"""

from __future__ import annotations

from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from app.domain.errors import ParseError

Node = LexborNode

# Blizzard wraps every page's own content in one of these (the name changed over the years).
MAIN_CONTENT_SELECTOR = "div.main-content, main"


class PageReader:
    """Required-node, attribute and text lookups bound to one page type."""

    def __init__(self, page_type: str) -> None:
        self.page_type = page_type

    def error(self, section: str, detail: str) -> ParseError:
        """A `ParseError` for this page type (to `raise` from the caller)."""
        return ParseError(self.page_type, section, detail)

    def require_complete(self, html: str) -> None:
        """Raise `ParseError` with section `document` when the page is cut off (see
        `is_truncated`: a partial page must never be stored as if complete)."""
        if is_truncated(html):
            raise self.error("document", "the page ends before </html> (truncated download)")

    def main_content(self, html: str) -> Node:
        """The page's main content element.

        Raises `ParseError` with section `document` when the page is cut off
        (`require_complete`) and `main-content` when the element is absent.
        """
        self.require_complete(html)
        root = LexborHTMLParser(html).css_first(MAIN_CONTENT_SELECTOR)
        if root is None:
            raise self.error("main-content", "no div.main-content or main element")
        return root

    def one(self, node: Node, selector: str, section: str) -> Node:
        """The first element under `node` matching `selector`, else `ParseError`."""
        found = node.css_first(selector)
        if found is None:
            raise self.error(section, f"no {selector!r} element")
        return found

    def attr(self, node: Node, name: str, section: str) -> str:
        """`node`'s attribute `name`, stripped; missing or blank raises `ParseError`."""
        value = (node.attributes.get(name) or "").strip()
        if not value:
            raise self.error(section, f"<{node.tag}> has no {name!r} attribute")
        return value

    def text(self, node: Node, selector: str | None, section: str, *, strip: bool = True) -> str:
        """Text of `node` (or of its first `selector` match), stripped unless `strip=False`;
        blank text raises `ParseError`.

        >>> PageReader("x").text(LexborHTMLParser("<p> a <b>b</b> </p>").body, "p", "s")
        'a b'
        """
        target = node if selector is None else self.one(node, selector, section)
        value = target.text(deep=True)
        if not value.strip():
            raise self.error(section, f"<{target.tag}> has no text")
        return value.strip() if strip else value


def is_truncated(html: str) -> bool:
    """True when `html` does not close `</html>` near its end, i.e. a cut-off download.

    Blizzard's pages always end with `</html>` (at most a few bytes follow). Without this
    check a truncated heroes list would silently lose heroes, and a hero page cut before
    its abilities would pass for Blizzard's 404 page.

    >>> is_truncated("<html><body>...</body></html>"), is_truncated("<html><body>...")
    (False, True)
    """
    return "</html>" not in html[-512:].lower()


def text_of(node: Node) -> str:
    """All text under `node`, stripped at both ends (inner spacing kept as Blizzard wrote it)."""
    return node.text_lexbor().strip()  # lexbor's own text content: no callback per text node


def one_line(text: str) -> str:
    """`text` with line breaks turned into spaces: descriptions are single-line in the API."""
    return text.replace("\r\n", " ").replace("\n", " ")


def classes(node: Node) -> list[str]:
    """`node`'s classes (none when it has no `class` attribute)."""
    return node.attrs.sget("class").split()  # `attrs` reads one attribute, no dict


def file_name(url: str) -> str:
    """Last path segment of `url`, without query or fragment.

    >>> file_name("https://cdn.example/endorsement/2-8b.svg#icon"), file_name("/i/Tank.svg?v=2")
    ('2-8b.svg', 'Tank.svg')
    """
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def url_stem(url: str) -> str:
    """Lower-cased file name of `url` up to its first dot (so `Damage.<hash>.svg` works too).

    >>> url_stem("https://cdn.example/x/Damage.svg?v=2"), url_stem("/i/Tank.3f2a.svg")
    ('damage', 'tank')
    """
    return file_name(url).split(".", 1)[0].lower()


def absolute_url(url: str, site_url: str) -> str:
    """`url` unchanged when absolute, else prefixed with `site_url` (no doubled slash).

    >>> absolute_url("/media/stories/x", "https://overwatch.blizzard.com/")
    'https://overwatch.blizzard.com/media/stories/x'
    """
    if urlsplit(url).scheme:
        return url
    return f"{site_url.rstrip('/')}/{url.lstrip('/')}"
