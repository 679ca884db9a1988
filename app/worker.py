"""`owdata worker`: runs the refresh jobs (and maintenance) outside the API process.

It opens the same storage and upstream (throttle included, shared through Valkey when
`VALKEY_URL` is set) as the API, and stops cleanly on SIGTERM/SIGINT: running jobs get
`WORKER_SHUTDOWN_GRACE` seconds, then are re-queued. Several workers, and API processes
running jobs in-process, can share one database (SQLite file or PostgreSQL): each job is
leased to one of them.
Each worker serves its metrics on its own port (`WORKER_METRICS_PORT`): a second worker
on a host whose port is taken stops at once with a one-line error (`WorkerStartError`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time

from app.api.routers.metrics import start_metrics_server
from app.bootstrap import build_cache, build_services, gauge_sources, open_adapters, retention
from app.bootstrap_storage import describe_storage
from app.config import Settings
from app.metrics import Metrics
from app.services.maintenance import Maintenance

logger = logging.getLogger(__name__)


class WorkerStartError(Exception):
    """The worker cannot start; the message is one line meant for the operator."""


async def _serve_metrics(metrics: Metrics, settings: Settings) -> asyncio.Server:
    host, port = settings.worker_metrics_host, settings.worker_metrics_port
    try:
        server = await start_metrics_server(metrics, host, port)
    except OSError as exc:
        raise WorkerStartError(
            f"cannot serve metrics on {host}:{port} ({exc.strerror or exc}); is another "
            "`owdata worker` running on this host? Give each worker its own "
            "WORKER_METRICS_PORT (0 picks a free one) or set METRICS_ENABLED=false"
        ) from None
    return server


async def run_worker(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    metrics = Metrics() if settings.metrics_enabled else None
    async with open_adapters(settings, build_cache(settings, metrics), metrics) as adapters:
        services = build_services(settings, adapters, time.time, metrics)
        server = None
        where = "metrics off (METRICS_ENABLED=false)"
        if metrics is not None:
            metrics.watch(gauge_sources(adapters))
            server = await _serve_metrics(metrics, settings)
            host, port = server.sockets[0].getsockname()[:2]
            where = f"metrics on http://{f'[{host}]' if ':' in host else host}:{port}/metrics"
        maintenance = Maintenance(
            adapters.storage,
            time.time,
            retention(settings),
        )
        logger.info("worker started (storage %s; %s)", describe_storage(settings), where)
        tasks = [
            asyncio.create_task(services.runner.run_forever(stop), name="jobs"),
            asyncio.create_task(
                maintenance.run_forever(settings.maintenance_interval, stop), name="cleanup"
            ),
        ]
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks)
        if server is not None:
            server.close()
            await server.wait_closed()
    logger.info("worker stopped")
    return 0
