"""The progress bar of long commands (`owdata capture`, `owdata storage copy`): in place on
a terminal, whole lines elsewhere, so a CI log or a file never holds carriage returns."""

from __future__ import annotations

import io

from app.devtools.progress import Progress
from app.storage_cli import CopyProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def copy_two_kinds(progress: CopyProgress) -> None:
    for kind, total in (("static_data", 500), ("jobs", 0)):
        progress("copy", kind, 0, total)
        for done in range(1, total + 1):
            progress("copy", kind, done, total)
    progress.close()


def test_steps_are_lines_in_a_log() -> None:
    log = io.StringIO()
    bar = Progress(total=2, stream=log, width=4)
    bar.step("/en-us/heroes/ 200")
    bar.finish()

    assert log.getvalue() == "[##--] 1/2 /en-us/heroes/ 200\n[####] 1/1 done\n"


def test_a_copy_writes_a_line_as_each_kind_starts_and_ends_in_a_log() -> None:
    log = io.StringIO()
    copy_two_kinds(CopyProgress(Progress(total=0, stream=log, width=4)))

    assert log.getvalue().splitlines() == [
        "[----] 0/500 copy static_data",
        "[####] 500/500 copy static_data",
        "[####] 0/0 copy jobs",
    ]
    assert "\r" not in log.getvalue()


def test_a_copy_redraws_one_line_on_a_terminal() -> None:
    terminal = Terminal()
    copy_two_kinds(CopyProgress(Progress(total=0, stream=terminal, width=4)))

    text = terminal.getvalue()
    assert text.count("\n") == 1  # the line ends once, when the copy is over
    assert text.startswith("\r\033[K[----] 0/500 copy static_data")
    assert text.endswith("\r\033[K[####] 0/0 copy jobs\n")
    assert text.count("\r") < 20  # at most one redraw every 0.1 s, not one per record
