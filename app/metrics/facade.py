"""`Metrics`: the one object the composition root creates and hands to every hook.

Each method matches a hook signature of the code it observes, so wiring is a method
reference: `HttpUpstream.create(observe=metrics.upstream_call)`,
`SQLiteStorage.open(path, on_operation=metrics.storage_operation)`,
`ValkeyCache.from_url(url, on_error=metrics.cache_error)`.

Example:
    >>> metrics = Metrics()
    >>> metrics.upstream_call("heroes", "200", 0.31)
    >>> metrics.registry.get_sample_value(
    ...     "owdata_upstream_requests_total", {"page_type": "heroes", "status": "200"}
    ... )
    1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Literal

from prometheus_client import CollectorRegistry

from app import __version__
from app.domain.errors import WHOLE_PAGE
from app.domain.player_career import CareerReading
from app.metrics.collectors import ScrapeTimeCollector
from app.metrics.definitions import EventMetrics
from app.metrics.exposition import Exposition, multiprocess_directory
from app.metrics.gauges import GaugeSnapshot, GaugeSources, ThrottleState, read_sources
from app.metrics.http import HttpMetrics, LookupCounts
from app.metrics.throttle import ThrottleHooks
from app.ports import StorageStats

CacheLayer = Literal["memory", "valkey", "storage"]
CacheResult = Literal["fresh_hit", "stale_hit", "miss"]
JobOutcome = Literal["done", "retry", "dead"]


class Metrics:
    """Records owdata's metrics in its own registry (`self.registry`) and renders them.

    Label values must come from bounded sets (page types, table names, route templates):
    never pass a player id or any other user input as a label. Create one per process
    (in multiprocess mode, two instances in one process would share their values).
    """

    def __init__(self, *, version: str = __version__) -> None:
        directory = multiprocess_directory()
        self.registry = CollectorRegistry()
        self.event = EventMetrics(self.registry)
        self.http = HttpMetrics(self.registry, shared=directory is not None)
        self._sources = GaugeSources()
        self._snapshot = GaugeSnapshot()
        self._valkey_circuit_open: bool | None = None  # None: no Valkey breaker
        scrape_time = ScrapeTimeCollector(
            lambda: self._snapshot, version, valkey_circuit=lambda: self._valkey_circuit_open
        )
        self._exposition = Exposition(self.registry, scrape_time, directory)

    @property
    def multiprocess(self) -> bool:
        return self._exposition.directory is not None

    def render(self, accept: str | None = None) -> tuple[bytes, str]:
        """The exposition (body, content type) in the format `accept` asks for.

        In multiprocess mode call `flush` first, from the event loop's thread.
        """
        return self._exposition.render(accept)

    def flush(self) -> None:
        """Multiprocess: share the last second's request counts now (before a scrape, and
        when the process stops); a no-op for a single process."""
        self.http.flush()

    # --- hooks of the adapters and services ----------------------------------------------
    def upstream_call(self, page_type: str, status: str, duration: float) -> None:
        """`HttpUpstream` observer: status is the HTTP code, `timeout` or `error`."""
        self.event.upstream_requests.labels(page_type, status).inc()
        self.event.upstream_duration.labels(page_type).observe(duration)

    def storage_operation(self, table: str, operation: str, duration: float, ok: bool) -> None:
        """The storage adapters' `on_operation` hook (`codec.OperationObserver`)."""
        self.event.storage_duration.labels(table, operation).observe(duration)
        if not ok:
            self.event.storage_errors.labels(table, operation).inc()

    def storage_decode_error(self, table: str) -> None:
        """Storage `on_decode_error` hook: a row of `table` could not be decoded."""
        self.event.storage_decode_errors.labels(table).inc()

    def cache_lookup(self, layer: CacheLayer, result: CacheResult) -> None:
        self.http.count_lookup((layer, result))

    def response_cache_counts(self, layer: CacheLayer) -> LookupCounts:
        """Counts for `ResponseCacheMiddleware(counts=...)`: its lookups in `layer`."""
        return self.http.lookup_counts(layer)

    def cache_error(self, operation: str) -> None:
        """`ValkeyCache` `on_error` hook (operation: get, set, delete, delete_prefix)."""
        self.event.cache_errors.labels(operation).inc()

    def parse_error(self, page_type: str, reason: str = WHOLE_PAGE) -> None:
        """A page that could not be read (`reason` "page", answered 502), or one part of
        it that was dropped (`ParseProblem.reason`, the rest was served)."""
        self.event.parse_errors.labels(page_type, reason).inc()

    def career_parsed(self, reading: CareerReading) -> None:
        """A career page parsed, by how it was read (`CareerReading`)."""
        self.event.career_readings.labels(reading).inc()

    def single_flight_wait(self, page_type: str) -> None:
        self.event.single_flight_waits.labels(page_type).inc()

    def throttle_403(self) -> None:
        self.event.throttle_rate_limited.inc()

    def refused_by_penalty(self) -> None:
        self.event.throttle_refused.inc()

    def throttle_wait(self, seconds: float) -> None:
        self.event.throttle_wait.observe(seconds)

    def job_enqueued(self, kind: str) -> None:
        self.event.jobs_enqueued.labels(kind).inc()

    def job_finished(self, kind: str, outcome: JobOutcome, duration: float) -> None:
        self.event.jobs_finished.labels(kind, outcome).inc()
        self.event.job_duration.labels(kind).observe(duration)

    def unknown_player_refused(self) -> None:
        self.event.unknown_players_refused.inc()

    # --- scrape-time gauges -----------------------------------------------------------
    def watch(self, sources: GaugeSources) -> None:
        """Say where `refresh` reads the scrape-time gauges from (call once adapters exist)."""
        self._sources = sources

    async def refresh(self) -> None:
        """Read the watched sources now; `GET /metrics` calls this before rendering."""
        self._snapshot = await read_sources(self._sources, self._snapshot)

    def refresh_gauges(
        self,
        *,
        storage: StorageStats | None = None,
        queue_depth: Mapping[str, int] | None = None,
        unknown_players: int | None = None,
        memory_cache: tuple[int, int] | None = None,
        throttle: ThrottleState | None = None,
    ) -> None:
        """Set every scrape-time gauge at once (None: unknown, left out of the scrape)."""
        if unknown_players is None and storage is not None:
            unknown_players = storage.rows.get("unknown_players")
        self._snapshot = GaugeSnapshot(
            storage, queue_depth, unknown_players, memory_cache, throttle
        )

    def valkey_circuit(self, skipping: bool) -> None:
        """`CircuitBreaker` `on_change` hook: whether this process currently skips Valkey
        (exported as `owdata_valkey_circuit_open`; absent without Valkey)."""
        self._valkey_circuit_open = skipping

    def throttle_state(self, delay: float, penalty_remaining: float) -> None:
        """Set the throttle gauges only; prefer `GaugeSources.throttle`, read at scrape time."""
        self._snapshot = replace(self._snapshot, throttle=ThrottleState(delay, penalty_remaining))

    @property
    def throttle_observer(self) -> ThrottleHooks:
        """The throttle's `observer` (`app.services.throttle.ThrottleObserver`)."""
        return ThrottleHooks(self)
