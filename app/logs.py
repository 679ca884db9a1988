"""Logging: one format for owdata's own lines, uvicorn's, and the access log.

`logging_config(level, log_format, access_log)` is a `logging.config.dictConfig`
dictionary. `owdata serve` hands it to uvicorn as its `log_config` (so the processes
`--workers N` starts apply it too); `owdata worker` applies it itself. Every logger,
uvicorn's included, writes through one handler on stderr:

    text: 2026-12-01 04:11:53,123 INFO owdata.access: 127.0.0.1 "GET /roles HTTP/1.1" 200 …
    json: {"time": "2026-12-01T04:11:53.123Z", "level": "info", "logger": "owdata.access",
           "message": "…", "client": "127.0.0.1", "method": "GET", "path": "/roles", …}

The access logger (`owdata.access`) logs at INFO whatever `LOG_LEVEL` says: `ACCESS_LOG`
alone turns its lines on or off.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any, Literal

from app.api.access_log import ACCESS_LOGGER

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, and the fields of
    records logged with a mapping as their argument (access lines)."""

    def format(self, record: logging.LogRecord) -> str:
        seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        entry: dict[str, Any] = {
            "time": f"{seconds}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if isinstance(record.args, Mapping):
            entry.update(record.args)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _UvicornName(logging.Filter):
    """uvicorn logs its start-up and shutdown as `uvicorn.error`: shown as `uvicorn`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.error":
            record.name = "uvicorn"
        return True


def logging_config(level: str, log_format: LogFormat, access_log: bool) -> dict[str, Any]:
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"} if log_format == "json" else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"owdata": formatter},
        "filters": {"uvicorn_name": {"()": f"{__name__}._UvicornName"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "owdata",
                "filters": ["uvicorn_name"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {
            # uvicorn's loggers lose their own handlers and format: their lines go to root.
            "uvicorn": {"level": level.upper(), "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level.upper(), "handlers": [], "propagate": True},
            # Replaced by owdata.access, which also sees the response cache's hits.
            "uvicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
            ACCESS_LOGGER: {"level": "INFO" if access_log else "CRITICAL", "propagate": True},
        },
    }


def configure_logging(level: str, log_format: LogFormat, access_log: bool) -> None:
    """Apply `logging_config` to this process (for commands uvicorn does not run)."""
    import logging.config

    logging.config.dictConfig(logging_config(level, log_format, access_log))
