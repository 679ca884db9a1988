"""Logs of `owdata serve` as a real process: one format for owdata's lines and uvicorn's,
one access line per request (response cache hits included) with `ACCESS_LOG=true`, the
client address as a trusted proxy passed it, and `LOG_FORMAT=json`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from tests.e2e.processes import serving

# 2026-12-01 04:11:53,123 INFO logger.name: message
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ [\w.]+: .+$")
ACCESS = re.compile(
    r"^\S+ \S+ INFO owdata\.access: (?P<client>\S+) \"(?P<method>[A-Z]+) (?P<target>\S+) "
    r"HTTP/1\.1\" (?P<status>\d{3}) (?P<ms>\d+\.\d\d)ms cache=(?P<cache>\S+)$"
)


def access_lines(lines: list[str]) -> list[dict[str, str]]:
    return [match.groupdict() for line in lines if (match := ACCESS.match(line))]


def test_each_request_writes_one_access_line_hits_included(tmp_path: Path) -> None:
    with serving(tmp_path, {"ACCESS_LOG": "true"}) as (command, url):
        with httpx.Client(base_url=url, timeout=10) as client:
            client.get("/gamemodes", params={"locale": "en-us"})
            client.get("/gamemodes", params={"locale": "en-us"})  # a response cache hit
            client.get("/no-such-route")
            client.head("/gamemodes", params={"locale": "en-us"})
        command.stop()  # every line written

    assert all(TEXT_LINE.match(line) for line in command.lines), command.lines
    assert [
        (a["client"], a["method"], a["target"], a["status"], a["cache"])
        for a in access_lines(command.lines)
    ] == [
        ("127.0.0.1", "GET", "/gamemodes?locale=en-us", "200", "miss"),
        ("127.0.0.1", "GET", "/gamemodes?locale=en-us", "200", "hit"),
        ("127.0.0.1", "GET", "/no-such-route", "404", "-"),
        ("127.0.0.1", "HEAD", "/gamemodes?locale=en-us", "200", "hit"),
    ]
    assert any(": Application startup complete." in line for line in command.lines)


def test_the_client_is_what_a_trusted_proxy_forwarded(tmp_path: Path) -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    trusted = {"ACCESS_LOG": "true"}  # FORWARDED_ALLOW_IPS defaults to 127.0.0.1
    untrusted = {"ACCESS_LOG": "true", "FORWARDED_ALLOW_IPS": "192.0.2.1"}
    clients = []
    for settings in (trusted, untrusted):
        with serving(tmp_path, settings) as (command, url):
            httpx.get(f"{url}/roles", headers=forwarded, timeout=10)
            command.stop()
        clients += [a["client"] for a in access_lines(command.lines)]

    assert clients == ["203.0.113.7", "127.0.0.1"]


def test_no_access_lines_unless_asked(tmp_path: Path) -> None:
    with serving(tmp_path, {"LOG_LEVEL": "debug"}) as (command, url):
        httpx.get(f"{url}/gamemodes", timeout=10)
        command.stop()

    assert command.matching("owdata.access") == []
    assert command.matching(r" INFO owdata\.serve: serving on ")


def test_json_lines_carry_the_access_fields(tmp_path: Path) -> None:
    settings = {"ACCESS_LOG": "true", "LOG_FORMAT": "json"}
    with serving(tmp_path, settings) as (command, url):
        httpx.get(f"{url}/gamemodes?locale=en-us", timeout=10)
        command.stop()

    records = [json.loads(line) for line in command.lines]
    assert {"time", "level", "logger", "message"} <= set(records[0])
    loggers = {record["logger"] for record in records}
    assert {"uvicorn", "owdata.serve", "owdata.access"} <= loggers
    (access,) = [record for record in records if record["logger"] == "owdata.access"]
    assert access["level"] == "info"
    assert access["client"] == "127.0.0.1"
    assert access["method"] == "GET"
    assert access["path"] == "/gamemodes?locale=en-us"
    assert access["status"] == 200
    assert access["cache"] == "miss"
    assert isinstance(access["duration_ms"], float)
    assert access["duration_ms"] > 0
