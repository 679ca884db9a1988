"""A progress bar for long commands: redrawn in place on a terminal, one line per step
elsewhere (CI logs, files), so every long-running command shows where it is.

Example:
    progress = Progress(total=3)
    progress.step("/en-us/heroes/ 200")  # [##########--------------------] 1/3 /en-us/heroes/ 200
    progress.finish()  # [##############################] 1/1 done
"""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    """A progress bar on a terminal (one line per page elsewhere, e.g. in CI logs)."""

    def __init__(self, total: int, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.total, self.done, self._stream, self._width = total, 0, stream, width
        self._tty = stream.isatty()
        self._drawn = False

    @property
    def tty(self) -> bool:
        return self._tty

    def step(self, label: str) -> None:
        self.done += 1
        self._draw(label)

    def show(self, done: int, total: int, label: str) -> None:
        """Draw the bar at `done`/`total`, for a caller that counts on its own."""
        self.done, self.total = done, total
        self._draw(label)

    def close(self) -> None:
        """End the line a terminal bar was redrawn on (nothing to do elsewhere)."""
        if self._tty and self._drawn:
            self._stream.write("\n")
            self._stream.flush()

    def finish(self, label: str = "done") -> None:
        """The full bar: steps planned but not needed are dropped from the total."""
        self.total = self.done
        self._draw(label)
        if self._tty:
            self._stream.write("\n")

    def _draw(self, label: str) -> None:
        # Nothing to do is done: an empty total draws a full bar.
        filled = (
            self._width * min(self.done, self.total) // self.total if self.total else self._width
        )
        bar = "#" * filled + "-" * (self._width - filled)
        line = f"[{bar}] {self.done}/{self.total} {label}"
        self._drawn = True
        if self._tty:
            self._stream.write(f"\r\033[K{line}")
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    def note(self, message: str) -> None:
        self._stream.write(("\r\033[K" if self._tty else "") + message + "\n")
        self._stream.flush()
