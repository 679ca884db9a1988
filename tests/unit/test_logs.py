"""The shared log formats (`app.logs`), applied to records as the handler receives them."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

from app.logs import JsonFormatter


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
        configure_logging("info", "text", access_log=False)
        logging.getLogger("uvicorn.error").info("Application startup complete.")
        logging.getLogger("owdata.access").info("not logged: ACCESS_LOG is off")
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
