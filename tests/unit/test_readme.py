"""Every file, folder and link the README cites exists in the repository.

Checked: markdown links (relative targets must exist, `#anchors` must name a heading) and
every path-like word in code, inline or in blocks (`nginx/entrypoint.sh`,
`grafana/dashboards/*.json`, `.env.dist`). This repository's development folders beside it
(`../shared/...`) are not part of a clone: they may be cited in the Development section
only. Words that look like paths but are not files of ours are listed with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
DEVELOPMENT = "## Development"

NOT_OURS = {
    "data/": "the default storage folder, created by `owdata serve`",
    "data/owdata.db": "the default SQLite file, created by `owdata serve`",
    "HTTP/1.1": "a protocol version in an example log line",
    "DIR/nginx.conf": "a placeholder folder",
    "exporter/exporter.go": "a file of oliver006/redis_exporter",
    "oliver006/redis_exporter": "a GitHub project",
    "blizzard/manifest.json": "inside a capture folder",
    "bug-pages.tgz": "a file the user makes",
    "./owdata-backup.db": "a file the user makes",
    "routes.json": "a file the user makes (`owdata fake-upstream --overlay`)",
}
FILE_SUFFIXES = r"md|py|yml|yaml|json|sh|toml|template|dist|lock|conf|tgz|db"
PATH_WORD = re.compile(
    rf"(?:\.\./|\./)?[\w.*-]+(?:/[\w.*-]*)+|\.?[\w-]+(?:\.[\w-]+)*\.(?:{FILE_SUFFIXES})"
)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) of each `## ` section, the part before the first one included."""
    parts = re.split(r"^(## .*)$", text, flags=re.M)
    return [("", parts[0]), *zip(parts[1::2], parts[2::2], strict=True)]


def code_words(text: str) -> list[str]:
    """Whitespace-separated words of inline code spans and fenced blocks."""
    blocks = re.findall(r"^ *```[^\n]*\n(.*?)^ *```", text, flags=re.M | re.S)
    prose = re.sub(r"^ *```.*?^ *```", "", text, flags=re.M | re.S)
    # An inline span may wrap onto the next line, never past its paragraph.
    inline = [span for part in prose.split("\n\n") for span in re.findall(r"`([^`]+)`", part)]
    return [word.strip("\"'(),;") for chunk in blocks + inline for word in chunk.split()]


def cited_paths(text: str) -> set[str]:
    """Path-like code words and relative link targets (without their #fragment)."""
    words = {word for word in code_words(text) if PATH_WORD.fullmatch(word)}
    links = {target.split("#", 1)[0] for target in LINK.findall(text)}
    return words | {link for link in links if link and not re.match(r"[a-z]+:", link)}


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def missing(path: str) -> bool:
    if "*" in path:
        return not list(REPO.glob(path))
    return not (REPO / path).exists()


def test_every_cited_repository_path_exists() -> None:
    text = README.read_text(encoding="utf-8")
    cited = cited_paths(text) - NOT_OURS.keys()
    outside = {path for path in cited if path.startswith("../")}

    assert sorted(path for path in cited - outside if missing(path)) == []


def test_every_exception_is_still_cited() -> None:
    assert sorted(NOT_OURS.keys() - cited_paths(README.read_text(encoding="utf-8"))) == []


def test_development_folders_are_cited_in_the_development_section_only() -> None:
    elsewhere = {
        path
        for heading, body in sections(README.read_text(encoding="utf-8"))
        if heading != DEVELOPMENT
        for path in cited_paths(body)
        if path.startswith("../")
    }

    assert elsewhere == set()


def test_every_anchor_names_a_heading() -> None:
    text = README.read_text(encoding="utf-8")
    headings = {slug(h) for h in re.findall(r"^#{1,6} (.*)$", text, flags=re.M)}
    anchors = {target[1:] for target in LINK.findall(text) if target.startswith("#")}

    assert sorted(anchors - headings) == []


def test_contents_lists_every_section_in_order() -> None:
    text = README.read_text(encoding="utf-8")
    contents = text.split("## Contents", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^- \[[^\]]*\]\(#([^)]+)\)$", contents, flags=re.M)
    sections = [slug(h) for h in re.findall(r"^## (.*)$", text, flags=re.M)]

    assert listed == [s for s in sections if s != "contents"]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("see `docs/deployment.md`", {"docs/deployment.md"}),
        ("run `sh nginx/entrypoint.sh --prefix DIR`", {"nginx/entrypoint.sh"}),
        ("[notes](docs/notes.md#top) and [web](https://example.org)", {"docs/notes.md"}),
        ("```sh\ncp .env.dist .env\n```", {".env.dist"}),
        ("`/players/{id}` and `GRAFANA_BIND_ADDRESS=0.0.0.0`", set()),
        ("`../shared/contract/x.md`", {"../shared/contract/x.md"}),
    ],
)
def test_the_checks_see_what_a_reader_sees(markdown: str, expected: set[str]) -> None:
    assert cited_paths(markdown) == expected
