"""`owdata serve`: bind the socket, settle `APP_BASE_URL`, then run uvicorn on that socket.

The socket is bound here, before anything starts, so a port in use or an address this
machine does not have is one clear line and exit status 1; the "serving on" line comes
only once the socket is bound (and, with one process, once the app has started). When
`APP_BASE_URL` is unset, links point at the address actually served (`localhost` for a
wildcard host): behind a proxy, set it to the public URL.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from app.api.application import OwdataApp
from app.bootstrap_storage import describe_storage
from app.config import Settings, load_settings
from app.connection_warmup import warm_connections
from app.logs import logging_config
from app.metrics import multiprocess_mode

logger = logging.getLogger("owdata.serve")
BACKLOG = 2048  # uvicorn's default
WARM_UP_TIMEOUT = 10.0  # seconds; the warm-up's requests take a few milliseconds
_WILDCARDS = frozenset({"0.0.0.0", "::", ""})


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port), as uvicorn binds it, and listening (connections
    wait in its backlog until the app accepts them); OSError when it cannot be."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def served_url(host: str, sock: socket.socket) -> str:
    """`http://host:port` for the bound socket (its real port); `localhost` stands for a
    wildcard host, which is no address a client can use."""
    port = sock.getsockname()[1]
    name = "localhost" if host in _WILDCARDS else host
    return f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}"


class _Server(uvicorn.Server):
    """Once the app has started on the bound socket: warms uvicorn's protocol and the edge
    stack over private connections (`app.connection_warmup`), then logs the serving line."""

    def __init__(self, config: uvicorn.Config, serving_line: str, app: OwdataApp) -> None:
        super().__init__(config)
        self.serving_line = serving_line
        self.app = app

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            if self.app.unseen_edge is not None:
                try:  # best effort: a machine without 127.0.0.1 still serves
                    async with asyncio.timeout(WARM_UP_TIMEOUT):
                        statuses = await warm_connections(self.config, self.app.unseen_edge())
                except (OSError, TimeoutError) as exc:
                    logger.warning("no warm-up over private connections: %r", exc)
                else:
                    logger.debug("warmed up over private connections: statuses %s", statuses)
            logger.info("%s", self.serving_line)


def run(settings: Settings, host: str, port: int, workers: int) -> int:
    try:
        sock = bind(host, port)
    except OSError as exc:
        print(f"owdata: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    url = served_url(host, sock)
    if settings.app_base_url_is_set:
        links = f"links use APP_BASE_URL {settings.app_base_url}"
    else:
        settings = load_settings(app_base_url=url)
        os.environ["APP_BASE_URL"] = url  # for the processes `--workers N` starts
        links = f"APP_BASE_URL unset: links use {url}"
    wildcard = host in _WILDCARDS
    line = (
        f"serving on {url} ({f'listening on every address, {host}; ' if wildcard else ''}"
        f"{workers} process{'es' if workers > 1 else ''}; {links}; "
        f"upstream {settings.blizzard_host}; storage {describe_storage(settings)}; "
        f"cache {'valkey' if settings.valkey_url else 'in-process'}; "
        f"metrics {'/metrics' if settings.metrics_enabled else 'off'})"
    )
    options: dict[str, Any] = {
        "host": host,
        "port": sock.getsockname()[1],
        "log_config": logging_config(settings.log_level, settings.log_format),
        "log_level": settings.log_level,
        "access_log": False,  # owdata's own access lines replace uvicorn's (see app.logs)
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "backlog": BACKLOG,
    }
    if workers == 1:
        from app.main import create_app

        app = create_app(settings)
        assert isinstance(app, OwdataApp)
        server = _Server(uvicorn.Config(app, **options), line, app)
        server.run(sockets=[sock])
        return 0 if server.started else 1
    with multiprocess_mode(workers if settings.metrics_enabled else 1):
        config = uvicorn.Config(
            "app.main:app_from_environment", factory=True, workers=workers, **options
        )
        logger.info("%s", line)
        Multiprocess(config, sockets=[sock]).run()
    return 0
