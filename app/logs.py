"""Logging: one format for owdata's own lines, uvicorn's, and the access log.

`logging_config(level, log_format, access_log)` is a `logging.config.dictConfig`
dictionary. `owdata serve` hands it to uvicorn as its `log_config` (so the processes
`--workers N` starts apply it too); `owdata worker` applies it itself. Every logger,
uvicorn's included, writes through one handler on stderr:

    text: 2026-12-01 04:11:53,123 INFO owdata.access: 127.0.0.1 "GET /roles HTTP/1.1" 200 …
    json: {"time": "2026-12-01T04:11:53.123Z", "level": "info", "logger": "owdata.access",
           "message": "…", "client": "127.0.0.1", "method": "GET", "path": "/roles", …}

Access lines (`ACCESS_LOG=true`, whatever `LOG_LEVEL` says) are written by
`AccessLineWriter` in that same format, as if logged at INFO by `owdata.access`, but
without the logging machinery's per-record cost (a record, a caller lookup, a lock, a
flush per line: about as much as a whole cache hit): lines are formatted directly and
written in batches, at most `flush_after` seconds late.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal, TextIO

from app.api.access_log import ACCESS_FORMAT, ACCESS_LOGGER

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # logging's own (`Formatter.default_time_format`)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, and the fields of
    records logged with a mapping as their argument (access lines)."""

    def format(self, record: logging.LogRecord) -> str:
        seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(record.created)))
        entry: dict[str, Any] = {
            "time": f"{seconds}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if isinstance(record.args, Mapping):
            for key, value in record.args.items():
                entry.setdefault(str(key), value)  # never hides time, level, logger, message
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


def logging_config(level: str, log_format: LogFormat) -> dict[str, Any]:
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
            # Replaced by owdata's access lines, which also see the response cache's hits.
            "uvicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }


def configure_logging(level: str, log_format: LogFormat) -> None:
    """Apply `logging_config` to this process (for commands uvicorn does not run)."""
    import logging.config

    logging.config.dictConfig(logging_config(level, log_format))


class AccessLineWriter:
    """`write(fields)` for `AccessLogMiddleware`: one line in the shared format, batched.

    Lines wait in memory until `max_lines` are pending or `flush_after` seconds have
    passed (a timer on the running event loop), then go to stderr in one write. `flush()`
    writes what is pending (the app calls it when it stops).
    """

    def __init__(
        self,
        log_format: LogFormat,
        *,
        stream: TextIO | None = None,
        flush_after: float = 0.05,
        max_lines: int = 256,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._json = log_format == "json"
        self._clock = clock
        self._stream = stream
        self._flush_after = flush_after
        self._max_lines = max_lines
        self._pending: list[str] = []
        self._timer: asyncio.TimerHandle | None = None
        self._second = -1
        self._stamp = ""  # the time up to the second, for `_second`

    def _time(self, now: float) -> str:
        second = int(now)
        if second != self._second:
            when = time.gmtime(second) if self._json else time.localtime(second)
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S" if self._json else TIME_FORMAT, when)
            self._second = second
        millis = int((now - second) * 1000)
        return f"{self._stamp}.{millis:03d}Z" if self._json else f"{self._stamp},{millis:03d}"

    def __call__(self, fields: dict[str, Any]) -> None:
        stamp = self._time(self._clock())
        message = ACCESS_FORMAT % fields
        if self._json:
            entry = {"time": stamp, "level": "info", "logger": ACCESS_LOGGER, "message": message}
            line = json.dumps({**entry, **fields}, ensure_ascii=False)
        else:
            line = f"{stamp} INFO {ACCESS_LOGGER}: {message}"
        self._pending.append(line)
        if len(self._pending) >= self._max_lines:
            self.flush()
        elif self._timer is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no loop to flush later: now
                self.flush()
                return
            self._timer = loop.call_later(self._flush_after, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        lines, self._pending = self._pending, []
        stream = self._stream or sys.stderr
        stream.write("\n".join(lines) + "\n")
        stream.flush()
