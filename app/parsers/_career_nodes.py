"""What the career page's parsers share: its `PageReader`, the local-damage signal and
lookups that tolerate a missing node.

A missing optional node is never an error here: these return "" / None, and the callers
decide whether that is fatal (`PAGE.error`), local damage (`Damaged`) or simply absent data.
"""

from __future__ import annotations

import logging
from typing import Final

from app.domain.errors import ParseProblem, ProblemReason
from app.parsers._html import Node, PageReader, classes, text_of

PAGE: Final = PageReader("career")
# The career parser's logger: operators filter one name for the whole page.
logger = logging.getLogger("app.parsers.career")
# Platform → the class Blizzard puts on that platform's view and rank wrapper.
VIEW_CLASSES: Final = {"pc": "mouseKeyboard-view", "console": "controller-view"}


class Damaged(Exception):
    """A local part of the page is malformed: the caller records it and drops that part."""

    def __init__(self, detail: str, reason: ProblemReason = "unreadable_block") -> None:
        super().__init__(detail)
        self.reason: ProblemReason = reason


class Problems(list[ParseProblem]):
    """The parts of one page that were dropped; `add` also logs a warning."""

    def add(self, section: str, reason: ProblemReason, detail: str) -> None:
        logger.warning("career page: dropped %s (%s): %s", section, reason, detail)
        self.append(ParseProblem(PAGE.page_type, section, reason, detail))


def class_value(node: Node, mapping: dict[str, str]) -> str | None:
    """The mapped value of the first of `node`'s classes that `mapping` knows, else None."""
    return next((mapping[c] for c in classes(node) if c in mapping), None)


def text(node: Node | None) -> str:
    """`text_of(node)`, "" for no node."""
    return text_of(node) if node is not None else ""


def attr(node: Node | None, name: str) -> str | None:
    value = (node.attributes.get(name) or "").strip() if node is not None else ""
    return value or None
