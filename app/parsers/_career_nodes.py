"""What the career page's parsers share: its `PageReader`, the local-damage signal and
lookups that tolerate a missing node.

A missing optional node is never an error here: these return "" / None, and the callers
decide whether that is fatal (`PAGE.error`), local damage (`Damaged`) or simply absent data.
"""

from __future__ import annotations

from typing import Final

from app.parsers._html import Node, PageReader, classes, text_of

PAGE: Final = PageReader("career")
# Platform → the class Blizzard puts on that platform's view and rank wrapper.
VIEW_CLASSES: Final = {"pc": "mouseKeyboard-view", "console": "controller-view"}


class Damaged(Exception):
    """A local part of the page is malformed: the caller logs it and drops that part."""


def class_value(node: Node, mapping: dict[str, str]) -> str | None:
    """The mapped value of the first of `node`'s classes that `mapping` knows, else None."""
    return next((mapping[c] for c in classes(node) if c in mapping), None)


def text(node: Node | None) -> str:
    return text_of(node) if node is not None else ""


def attr(node: Node | None, name: str) -> str | None:
    value = (node.attributes.get(name) or "").strip() if node is not None else ""
    return value or None
