"""owdata's Prometheus metrics: one `Metrics` object per process, created by the
composition root and handed to every hook; `GET /metrics` renders it.

What is measured (all names start with `owdata_`): API requests, latency and in-flight
requests by route template; cache lookups by layer and result; Valkey errors; Blizzard
calls by page type and status with latency; throttle spacing, penalty, 403s, waits and
refusals; single-flight waits; refresh queue depth, job outcomes and durations; storage
latency, errors, size and rows; unknown players; parse errors; process CPU and memory.
Counters and histograms move when things happen; gauges describing state are read at
scrape time (`GaugeSources`), so none is ever a leftover from the last change.

Several processes. `owdata serve --workers N` runs N processes behind one port, where a
scrape would reach one of them at random; so owdata uses prometheus-client's
multiprocess mode there: `multiprocess_mode(workers)` (called by the CLI before uvicorn
starts the workers) points `PROMETHEUS_MULTIPROC_DIR` at a fresh directory, every worker
writes its values to memory-mapped files in it (per-request counts within about a
second, see `app.metrics.http`), and the worker answering `GET /metrics` renders the sum
of all of them (in-flight requests summed over live workers only, process metrics per
live worker with a `pid` label). A single process (the default, and
`owdata worker`) keeps plain in-memory metrics. Separate containers (`docker compose up
--scale app=3`) are separate targets: Prometheus finds each one through DNS service
discovery (`prometheus/prometheus.yml`), and dashboards sum over instances.
Scrape-time gauges describe shared state (storage, queue, Valkey-held throttle) as seen
by the answering process; `owdata_memory_cache_*` and an in-process throttle describe
that process only (run several workers with Valkey, as the README says).

Example:
    >>> metrics = Metrics()
    >>> upstream = HttpUpstream.create(base_url=url, observe=metrics.upstream_call)
    >>> metrics.watch(GaugeSources(storage=storage.stats))
    >>> await metrics.refresh()  # doctest: +SKIP
    >>> body, content_type = metrics.render()
"""

from app.metrics.exposition import ENV_VAR, multiprocess_mode
from app.metrics.facade import CacheLayer, CacheResult, JobOutcome, Metrics
from app.metrics.gauges import GaugeSnapshot, GaugeSources, ThrottleState
from app.metrics.http import LookupCounts, UnseenMetrics

__all__ = [
    "ENV_VAR",
    "CacheLayer",
    "CacheResult",
    "GaugeSnapshot",
    "GaugeSources",
    "JobOutcome",
    "LookupCounts",
    "Metrics",
    "ThrottleState",
    "UnseenMetrics",
    "multiprocess_mode",
]
