"""The shared log formats (`app.logs`), applied to records as the handler receives them."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.api.access_log import ACCESS_FORMAT, ACCESS_LOGGER
from app.logs import TEXT_FORMAT, AccessLineWriter, JsonFormatter, LogFormat


def _record(name: str, message: str, args: object = None) -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, message, args, None)  # type: ignore[arg-type]


def test_json_records_carry_their_mapping_arguments_as_fields() -> None:
    record = _record("owdata.access", "%(client)s %(status)d", {"client": "::1", "status": 404})

    entry = json.loads(JsonFormatter().format(record))

    assert entry["message"] == "::1 404"
    assert entry["client"] == "::1"
    assert entry["status"] == 404
    assert entry["level"] == "error"
    assert entry["time"].endswith("Z")


def test_json_fields_never_hide_the_record_own() -> None:
    record = _record("app.x", "%(message)s!", {"message": "hi", "level": "x", "extra": 1})

    entry = json.loads(JsonFormatter().format(record))

    assert (entry["message"], entry["level"], entry["extra"]) == ("hi!", "error", 1)


def test_json_records_carry_the_exception() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = _record("app.x", "failed")
        record.exc_info = sys.exc_info()

    entry = json.loads(JsonFormatter().format(record))

    assert entry["message"] == "failed"
    assert "ValueError: boom" in entry["exception"]


def test_uvicorn_lines_take_the_shared_format() -> None:
    # In a process of its own: dictConfig replaces the handlers of the whole process.
    script = """if True:
        import logging
        from app.logs import configure_logging
        configure_logging("info", "text")
        logging.getLogger("uvicorn.error").info("Application startup complete.")
        logging.getLogger("app.services.x").debug("not logged: below LOG_LEVEL")
    """
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO uvicorn: Application startup complete\.",
        lines[0],
    )


FIELDS = {
    "client": "203.0.113.9",
    "method": "GET",
    "path": "/heroes?role=tank",
    "http_version": "1.1",
    "status": 200,
    "duration_ms": 0.417,
    "cache": "hit",
}
AT = 1_764_562_313.042  # a time with milliseconds


@pytest.mark.parametrize(
    ("log_format", "formatter"),
    [("text", logging.Formatter(TEXT_FORMAT)), ("json", JsonFormatter())],
)
def test_access_lines_are_what_the_shared_formatter_writes(
    log_format: LogFormat, formatter: logging.Formatter
) -> None:
    out = io.StringIO()
    write = AccessLineWriter(log_format, stream=out, clock=lambda: AT)
    record = logging.LogRecord(
        ACCESS_LOGGER, logging.INFO, __file__, 1, ACCESS_FORMAT, (FIELDS,), None
    )
    record.created, record.msecs = AT, 42.0

    write(FIELDS)
    write.flush()

    assert out.getvalue() == formatter.format(record) + "\n"


async def test_access_lines_are_batched_and_flushed_soon() -> None:
    out = io.StringIO()
    write = AccessLineWriter("text", stream=out, flush_after=0.05, max_lines=3)

    write(FIELDS)
    write(FIELDS)
    assert out.getvalue() == ""  # pending: one write for many lines
    await asyncio.sleep(0.2)
    assert len(out.getvalue().splitlines()) == 2
    for _ in range(3):
        write(FIELDS)
    assert len(out.getvalue().splitlines()) == 5  # a full batch is written at once
