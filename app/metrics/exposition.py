"""Rendering the exposition format, in single-process or multiprocess mode.

Single process (the default): the `Metrics` registry is rendered as is, with
prometheus-client's process, platform and GC collectors.

Multiprocess (`owdata serve --workers N`): `multiprocess_mode(workers)` points
`PROMETHEUS_MULTIPROC_DIR` at an empty directory before the workers start; each worker's
prometheus-client then writes its values to memory-mapped files there, and whichever
worker answers `GET /metrics` renders the sum over every worker's files (dead workers'
counters included, so totals never go back). Process metrics come from
`LiveProcessesCollector`, one `pid`-labelled series per live worker.

Example (the CLI):
    >>> with multiprocess_mode(args.workers):  # doctest: +SKIP
    ...     uvicorn.run("app.main:app_from_environment", factory=True, workers=args.workers)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    values,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from app.metrics.collectors import LiveProcessesCollector, live_pids

ENV_VAR = "PROMETHEUS_MULTIPROC_DIR"

__all__ = ["ENV_VAR", "Exposition", "multiprocess_directory", "multiprocess_mode"]


def multiprocess_directory() -> Path | None:
    """The shared directory if this process runs in multiprocess mode, else None.

    prometheus-client picks its mode when it is first imported, from the environment:
    a variable set later would be silently ignored, so that is an error here.
    """
    configured = os.environ.get(ENV_VAR)
    active = bool(getattr(values.ValueClass, "_multiprocess", False))
    if bool(configured) != active:
        raise RuntimeError(
            f"{ENV_VAR} must be set before prometheus_client is first imported "
            f"(set: {bool(configured)}, multiprocess values in use: {active})"
        )
    return Path(configured) if configured else None


class Exposition:
    """Renders one `Metrics` registry plus its scrape-time collector."""

    def __init__(
        self, registry: CollectorRegistry, scrape_time: Collector, directory: Path | None
    ) -> None:
        registry.register(scrape_time)
        self.directory = directory
        if directory is None:
            ProcessCollector(registry=registry)
            PlatformCollector(registry=registry)
            GCCollector(registry=registry)
            self._exposed = registry
            return
        # The per-process registry only knows this worker's values: render the files.
        exposed = CollectorRegistry()
        MultiProcessCollector(exposed, str(directory))  # type: ignore[no-untyped-call]
        exposed.register(LiveProcessesCollector(directory))
        PlatformCollector(registry=exposed)
        exposed.register(scrape_time)
        self._exposed = exposed

    def render(self, accept: str | None = None) -> tuple[bytes, str]:
        """(body, content type), in the format the `Accept` header asks for."""
        encoder, content_type = choose_encoder(accept or "")
        if self.directory is not None:
            live_pids(self.directory)  # first drop dead workers' in-flight gauges
        return encoder(self._exposed), content_type


@contextmanager
def multiprocess_mode(workers: int) -> Iterator[Path | None]:
    """Run the block with a fresh metrics directory when several workers will serve.

    An operator-chosen `PROMETHEUS_MULTIPROC_DIR` is emptied (values from an earlier run
    would be added to this one's); otherwise a temporary directory is used and removed.
    One `owdata serve` per directory: never share it with another server or the worker.
    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        directory = Path(configured)
        directory.mkdir(parents=True, exist_ok=True)
        for leftover in directory.glob("*.db"):
            leftover.unlink()
        yield directory
        return
    if workers <= 1:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="owdata-metrics-") as tmp:
        os.environ[ENV_VAR] = tmp  # inherited by the worker processes uvicorn spawns
        try:
            yield Path(tmp)
        finally:
            os.environ.pop(ENV_VAR, None)
