"""Node helpers and the local-damage signal shared by the career page's parsers.

A missing optional node is never an error here: these return "" / None, and the callers
decide whether that is fatal (`ParseError`), local damage (`Damaged`) or simply absent data.
"""

from __future__ import annotations

from typing import Final

from selectolax.lexbor import LexborNode

from app.parsers._stat_names import INTEGER

PAGE: Final = "career"
# Platform → the class Blizzard puts on that platform's view and rank wrapper.
VIEW_CLASSES: Final = {"pc": "mouseKeyboard-view", "console": "controller-view"}


class Damaged(Exception):
    """A local part of the page is malformed: the caller logs it and drops that part."""


def classes(node: LexborNode) -> list[str]:
    return (node.attributes.get("class") or "").split()


def class_value(node: LexborNode, mapping: dict[str, str]) -> str | None:
    """The mapped value of the first of `node`'s classes that `mapping` knows, else None."""
    return next((mapping[c] for c in classes(node) if c in mapping), None)


def text(node: LexborNode | None) -> str:
    return node.text(deep=True).strip() if node is not None else ""


def attr(node: LexborNode | None, name: str) -> str | None:
    value = (node.attributes.get(name) or "").strip() if node is not None else ""
    return value or None


def file_name(url: str) -> str:
    """Last path segment of `url` without fragment or query: `…/2-8b.svg#icon` → `2-8b.svg`."""
    return url.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def int_or_none(raw: str | None) -> int | None:
    value = (raw or "").strip()
    return int(value) if INTEGER.fullmatch(value) else None
