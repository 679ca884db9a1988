"""Maps the expected-answer file names of the fixtures to the requests they describe.

`players_TeKrop-2217_stats_career__gamemode=quickplay__hero=ana.json` is
`GET /players/TeKrop-2217/stats/career?gamemode=quickplay&hero=ana`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ExpectedRequest:
    file: Path
    path: str
    params: tuple[tuple[str, str], ...]

    @property
    def url(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params)
        return f"{self.path}?{query}" if query else self.path

    @property
    def id(self) -> str:
        return self.file.stem


def expected_request(file: Path) -> ExpectedRequest:
    stem, *pairs = file.stem.split("__")
    params = tuple(pair.partition("=")[::2] for pair in pairs if pair != "noparams")
    return ExpectedRequest(file=file, path="/" + stem.replace("_", "/"), params=params)


def expected_requests(folder: Path, prefix: str) -> list[ExpectedRequest]:
    """Every expected file in `folder` whose name starts with `prefix`, sorted by name."""
    return [expected_request(f) for f in sorted(folder.glob(f"{prefix}*.json"))]
