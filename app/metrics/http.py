"""Metrics updated on every request: API requests by route template, method and status,
their latency, requests in flight, and response-cache lookups.

A cached hit is answered in tens of microseconds. prometheus-client metric objects cost about a
microsecond per update (label lookup, lock, checks), and a few microseconds each in
multiprocess mode (a write to a memory-mapped file); a request makes several. So the
request path only adds to plain integers, per (route, method) and per lookup result (the
response cache keeps its own `LookupCounts`, so a hit's lookup is one attribute update):
- single process: `collect` turns them into metric families at scrape time (it runs in
  the scrape thread; the `list(...)` copies are made under the GIL, so they never see
  a dict mid-update);
- multiprocess: `flush` adds what accumulated to prometheus-client's shared metrics
  about once a second (a timer armed by the first update after a flush), and before a
  scrape renders; both in the event loop's thread, so no update is lost.
Both modes expose the same series.

Example:
    >>> recorder = metrics.http.recorder("/heroes/{hero_key}", "GET")
    >>> recorder.start()
    >>> recorder.finish(200, 0.0004)
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left
from collections.abc import Iterator
from itertools import accumulate

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from app.metrics.definitions import HTTP_BUCKETS

REQUESTS = ("owdata_http_requests", "API requests answered, by route template, method and status.")
DURATION = ("owdata_http_request_duration_seconds", "Time to answer an API request.")
IN_FLIGHT = ("owdata_http_requests_in_flight", "API requests being answered, by route template.")
LOOKUPS = (
    "owdata_cache_lookups",
    "Cache lookups by layer (memory, valkey, storage) and result (fresh_hit, stale_hit, miss).",
)
_LE = [floatToGoString(b) for b in HTTP_BUCKETS] + ["+Inf"]  # type: ignore[no-untyped-call]
FLUSH_INTERVAL = 1.0


class Recorder:
    """Counts of one (route, method): totals, or (multiprocess) what is not flushed yet."""

    __slots__ = ("_owner", "buckets", "in_flight", "statuses", "total")

    def __init__(self, owner: HttpMetrics) -> None:
        self._owner = owner
        self.in_flight = 0
        self.statuses: dict[int, int] = {}
        self.buckets = [0] * len(_LE)  # per bucket, not cumulative
        self.total = 0.0

    def start(self) -> None:
        self.in_flight += 1
        if not self._owner.pending:  # a long request must show in flight while it lasts
            self._owner.changed()

    def served(self, status: int, seconds: float) -> None:
        """A request answered at once (a cache hit): counted, never seen in flight."""
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.buckets[bisect_left(HTTP_BUCKETS, seconds)] += 1
        self.total += seconds
        if not self._owner.pending:
            self._owner.changed()

    def finish(self, status: int, seconds: float) -> None:
        self.in_flight -= 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.buckets[bisect_left(HTTP_BUCKETS, seconds)] += 1  # `le`: bound >= value
        self.total += seconds
        if not self._owner.pending:
            self._owner.changed()


class LookupCounts:
    """Lookups in one cache layer, counted by their owner (for the response cache a hit
    pays `counts.hit += 1`, no call); read at scrape time, flushed as deltas in
    multiprocess mode."""

    __slots__ = ("_flushed", "hit", "layer", "miss", "stale")

    def __init__(self, layer: str) -> None:
        self.layer = layer
        self.hit = 0
        self.stale = 0
        self.miss = 0
        # Multiprocess: what was already added to the shared metrics.
        self._flushed = {"fresh_hit": 0, "stale_hit": 0, "miss": 0}

    def totals(self) -> dict[tuple[str, str], int]:
        counts = {"fresh_hit": self.hit, "stale_hit": self.stale, "miss": self.miss}
        return {(self.layer, result): count for result, count in counts.items()}

    def unflushed(self) -> dict[tuple[str, str], int]:
        totals = self.totals()
        done, self._flushed = self._flushed, {result: n for (_, result), n in totals.items()}
        return {key: count - done[key[1]] for key, count in totals.items()}


class HttpMetrics(Collector):
    def __init__(self, registry: CollectorRegistry, *, shared: bool) -> None:
        self._shared = shared
        self.pending = not shared  # single process: nothing to flush, ever
        self._recorders: dict[tuple[str, str], Recorder] = {}
        self._lookups: dict[tuple[str, str], int] = {}
        self._counted: list[LookupCounts] = []
        if not shared:
            registry.register(self)
            return
        self._requests = Counter(*REQUESTS, ("route", "method", "status"), registry=registry)
        self._duration = Histogram(
            *DURATION, ("route", "method"), registry=registry, buckets=HTTP_BUCKETS
        )
        self._in_flight = Gauge(
            *IN_FLIGHT, ("route",), registry=registry, multiprocess_mode="livesum"
        )
        self._cache = Counter(*LOOKUPS, ("layer", "result"), registry=registry)

    def recorder(self, route: str, method: str) -> Recorder:
        """The counts of one (route, method); both come from bounded sets."""
        found = self._recorders.get((route, method))
        if found is None:
            found = self._recorders[route, method] = Recorder(self)
        return found

    def count_lookup(self, key: tuple[str, str]) -> None:
        """Count a cache lookup; `key` is (layer, result)."""
        self._lookups[key] = self._lookups.get(key, 0) + 1
        if not self.pending:
            self.changed()

    def lookup_counts(self, layer: str) -> LookupCounts:
        """Counts of lookups in `layer` kept by their owner, exposed like `count_lookup`'s."""
        counts = LookupCounts(layer)
        self._counted.append(counts)
        return counts

    def changed(self) -> None:
        """Multiprocess: arm the flush timer (or flush now, outside an event loop)."""
        self.pending = True
        try:
            asyncio.get_running_loop().call_later(FLUSH_INTERVAL, self.flush)
        except RuntimeError:
            self.flush()

    def flush(self) -> None:
        """Multiprocess: move what accumulated into the shared metrics (loop thread only)."""
        if not self._shared or not self.pending:
            return
        self.pending = False
        in_flight: dict[str, int] = {}
        for (route, method), rec in self._recorders.items():
            for status, count in rec.statuses.items():
                self._requests.labels(route, method, status).inc(count)
            rec.statuses.clear()
            histogram = self._duration.labels(route, method)
            # prometheus-client has no public "add n observations": these are its values.
            histogram._sum.inc(rec.total)
            for value, count in zip(histogram._buckets, rec.buckets, strict=True):
                if count:
                    value.inc(count)
            rec.buckets, rec.total = [0] * len(_LE), 0.0
            in_flight[route] = in_flight.get(route, 0) + rec.in_flight
        for route, count in in_flight.items():
            self._in_flight.labels(route).set(count)
        for (layer, result), count in self._lookups.items():
            self._cache.labels(layer, result).inc(count)
        self._lookups.clear()
        for counts in self._counted:
            for (layer, result), count in counts.unflushed().items():
                self._cache.labels(layer, result).inc(count)

    def collect(self) -> Iterator[Metric]:
        """Single process: the totals as metric families."""
        requests = CounterMetricFamily(*REQUESTS, labels=["route", "method", "status"])
        duration = HistogramMetricFamily(*DURATION, labels=["route", "method"])
        in_flight: dict[str, int] = {}
        for (route, method), rec in list(self._recorders.items()):
            for status, count in list(rec.statuses.items()):
                requests.add_metric([route, method, str(status)], count)
            cumulative = list(zip(_LE, accumulate(list(rec.buckets)), strict=True))
            duration.add_metric([route, method], cumulative, rec.total)
            in_flight[route] = in_flight.get(route, 0) + rec.in_flight
        gauge = GaugeMetricFamily(*IN_FLIGHT, labels=["route"])
        for route, count in in_flight.items():
            gauge.add_metric([route], count)
        lookups = CounterMetricFamily(*LOOKUPS, labels=["layer", "result"])
        totals = dict(self._lookups)
        for counts in self._counted:
            for key, count in counts.totals().items():
                totals[key] = totals.get(key, 0) + count
        for labels, count in totals.items():
            lookups.add_metric(list(labels), count)
        yield from (requests, duration, gauge, lookups)


class UnseenMetrics:
    """Request counts in a registry of their own that nothing exports or shares (not even
    in multiprocess mode): for requests no one may see, such as the start-up warm-up's."""

    def __init__(self) -> None:
        self.http = HttpMetrics(CollectorRegistry(), shared=False)
