"""Custom collectors: scrape-time gauges, and process metrics in multiprocess mode.

`ScrapeTimeCollector` turns the latest `GaugeSnapshot` into gauge families. Every family
is listed even when it has no sample, so the set of exported names does not depend on
which sources a process has (the dashboard test relies on that).

`LiveProcessesCollector` replaces prometheus-client's process collector when several
worker processes share a `PROMETHEUS_MULTIPROC_DIR`: it reports `process_*` metrics for
every live worker, each with a `pid` label (only live workers are listed, so the label
stays bounded by the worker count; dashboards sum by instance).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from prometheus_client import ProcessCollector
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import mark_process_dead
from prometheus_client.registry import Collector

from app.metrics.gauges import GaugeSnapshot

QUEUE_STATES = ("queued", "running", "dead")


def _gauge(
    name: str, doc: str, value: float | None, labels: dict[str, str] | None = None
) -> Metric:
    family = GaugeMetricFamily(name, doc, labels=list(labels or {}))
    if value is not None:
        family.add_metric(list((labels or {}).values()), value)
    return family


class ScrapeTimeCollector(Collector):
    def __init__(
        self,
        snapshot: Callable[[], GaugeSnapshot],
        version: str,
        *,
        valkey_circuit: Callable[[], bool | None] = lambda: None,
    ) -> None:
        self._snapshot = snapshot
        self._version = version
        self._circuit = valkey_circuit
        """Whether Valkey's breaker skips it (None: no Valkey); kept current by its hook."""

    def collect(self) -> Iterator[Metric]:
        snap = self._snapshot()
        yield _gauge(
            "owdata_build_info", "owdata version (always 1).", 1, {"version": self._version}
        )
        up = GaugeMetricFamily(
            "owdata_scrape_source_up", "Whether a scrape-time source answered.", labels=["source"]
        )
        for source, ok in sorted(snap.sources_up.items()):
            up.add_metric([source], float(ok))
        yield up
        stats = snap.storage
        size = None if stats is None else stats.size_bytes
        yield _gauge("owdata_storage_size_bytes", "Database size on disk, WAL included.", size)
        rows = GaugeMetricFamily("owdata_storage_rows", "Rows per storage table.", labels=["table"])
        for table, count in sorted(stats.rows.items() if stats else ()):
            rows.add_metric([table], count)
        yield rows
        queue = GaugeMetricFamily(
            "owdata_refresh_queue_jobs",
            "Refresh jobs in the durable queue, by state.",
            labels=["state"],
        )
        if snap.queue_depth is not None:
            for state in QUEUE_STATES:  # zeros included, so a drained queue reads 0, not "no data"
                queue.add_metric([state], snap.queue_depth.get(state, 0))
        yield queue
        yield _gauge(
            "owdata_unknown_players",
            "Unknown players tracked (404 remembered, retried with backoff).",
            snap.unknown_players,
        )
        entries, size_bytes = snap.memory_cache or (None, None)
        yield _gauge(
            "owdata_memory_cache_entries", "Entries in this process's memory cache.", entries
        )
        yield _gauge(
            "owdata_memory_cache_bytes", "Bytes in this process's memory cache.", size_bytes
        )
        yield from _throttle(snap)
        yield _gauge(
            "owdata_valkey_circuit_open",
            "1 while the circuit breaker skips Valkey (it kept failing or timing out; probed "
            "again after the cool-down), 0 while Valkey is used.",
            None if (skipping := self._circuit()) is None else float(skipping),
        )


def _throttle(snap: GaugeSnapshot) -> Iterator[Metric]:
    state = snap.throttle
    delay = None if state is None else state.delay
    remaining = None if state is None else max(0.0, state.penalty_remaining)
    active = None if remaining is None else float(remaining > 0)
    yield _gauge("owdata_throttle_delay_seconds", "Minimum spacing between Blizzard calls.", delay)
    yield _gauge(
        "owdata_throttle_penalty_remaining_seconds", "Seconds left in the 403 penalty.", remaining
    )
    yield _gauge("owdata_throttle_penalty_active", "1 while a 403 penalty window is open.", active)


# Files are named `<type>_<pid>.db` or `gauge_<mode>_<pid>.db` by prometheus-client.
_PID = re.compile(r"_(\d+)\.db$")


def live_pids(directory: Path) -> list[int]:
    """Pids with files in `directory` that are still running; dead ones get their
    live-gauge files removed (uvicorn has no child-exit hook to do it when they die)."""
    pids = {int(m.group(1)) for f in directory.glob("*.db") if (m := _PID.search(f.name))}
    alive = []
    for pid in sorted(pids):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]
            continue
        except PermissionError:
            pass  # exists, owned by someone else
        alive.append(pid)
    return alive


class LiveProcessesCollector(Collector):
    def __init__(self, directory: Path) -> None:
        self._directory = directory

    def collect(self) -> Iterator[Metric]:
        merged: dict[str, Metric] = {}
        for pid in live_pids(self._directory):
            collector = ProcessCollector(pid=_constant(pid), registry=None)
            for family in collector.collect():
                target = merged.setdefault(
                    family.name, Metric(family.name, family.documentation, family.type)
                )
                for sample in family.samples:
                    labels = {**sample.labels, "pid": str(pid)}
                    target.add_sample(sample.name, labels, sample.value)
        yield from merged.values()


def _constant(pid: int) -> Callable[[], int]:
    return lambda: pid
