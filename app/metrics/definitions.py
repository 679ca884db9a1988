"""Every event metric owdata records, defined once, on the registry it is given.

Event metrics change when something happens (a request, an upstream call, a job); the
gauges describing state (storage size, queue depth, throttle...) are computed at scrape
time instead, in `app.metrics.gauges`, so they can never be stale.

Naming follows Prometheus conventions: `owdata_` prefix, base units (`_seconds`,
`_bytes`), `_total` on counters. Every label takes values from a set bounded by the code
(route templates, page types, table names, outcomes), never from user input.

Example:
    >>> registry = CollectorRegistry()
    >>> event = EventMetrics(registry)
    >>> event.parse_errors.labels("heroes", "page").inc()
    >>> registry.get_sample_value(
    ...     "owdata_parse_errors_total", {"page_type": "heroes", "reason": "page"}
    ... )
    1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import get_args

from prometheus_client import CollectorRegistry, Counter, Histogram

from app.domain.errors import WHOLE_PAGE, ProblemReason
from app.domain.player_career import CAREER_READINGS

NAMESPACE = "owdata"

DECODED_TABLES = ("static_data", "player_profiles", "jobs")
"""Storage tables whose rows are decoded (labels of `storage_decode_errors_total`)."""

# Cache hits answer in well under a millisecond, misses can wait seconds on Blizzard:
# the buckets span both, finer at the low end where the hit path lives.
HTTP_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
UPSTREAM_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
STORAGE_BUCKETS = (0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5)
THROTTLE_WAIT_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30)
JOB_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

# The label values known in advance. Each of their combinations is exported at 0 from the
# start, so every panel and alert has a series before the first event (an absent series
# reads as "no data", and `rate()` of it is nothing rather than 0).
PAGE_TYPES = ("heroes", "hero", "roles", "rates", "search", "career")
PARSE_REASONS: tuple[str, ...] = (WHOLE_PAGE, *get_args(ProblemReason.__value__))
FLIGHT_PAGE_TYPES = ("static", "player")
UPSTREAM_STATUSES = ("200", "403", "404", "timeout", "error")
JOB_KINDS = ("refresh_static", "refresh_player")
JOB_OUTCOMES = ("done", "retry", "dead")
CACHE_OPERATIONS = ("get", "set", "delete", "delete_prefix")
STORAGE_OPERATIONS = (
    ("player_profiles", "get"),
    ("player_profiles", "find_by_battletag"),
    ("player_profiles", "put"),
    ("player_profiles", "delete_older_than"),
    ("static_data", "get"),
    ("static_data", "put"),
    ("unknown_players", "get"),
    ("unknown_players", "put"),
    ("unknown_players", "clear"),
    ("unknown_players", "count"),
    ("unknown_players", "delete_due_before"),
    ("all", "stats"),
)
"""(table, operation) of every storage operation the adapters time: their series exist
from the start (a first request does not pay for creating a histogram's children)."""


class EventMetrics:
    """The counters and histograms of one registry (API requests: `app.metrics.http`)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        def counter(name: str, doc: str, labels: Sequence[str] = ()) -> Counter:
            return Counter(name, doc, labels, namespace=NAMESPACE, registry=registry)

        def histogram(
            name: str, doc: str, labels: Sequence[str], buckets: Sequence[float]
        ) -> Histogram:
            return Histogram(
                name, doc, labels, namespace=NAMESPACE, registry=registry, buckets=buckets
            )

        # --- caches ----------------------------------------------------------------------
        self.cache_errors = counter(
            "cache_errors_total",
            "Cache backend (Valkey) commands that failed, by operation; requests carry on "
            "without the shared cache.",
            ("operation",),
        )
        # --- upstream (Blizzard) ---------------------------------------------------------
        self.upstream_requests = counter(
            "upstream_requests_total",
            "Calls to Blizzard by page type and status (HTTP code, timeout or error).",
            ("page_type", "status"),
        )
        self.upstream_duration = histogram(
            "upstream_request_duration_seconds",
            "Duration of calls to Blizzard, by page type.",
            ("page_type",),
            UPSTREAM_BUCKETS,
        )
        self.parse_errors = counter(
            "parse_errors_total",
            'Blizzard pages that could not be parsed (reason "page", answered 502) and '
            "parts of pages dropped while the rest was served (the part's reason), by page "
            "type and reason.",
            ("page_type", "reason"),
        )
        self.career_readings = counter(
            "career_pages_parsed_total",
            'Career pages parsed, by reading: "text" (the blocks in Blizzard\'s markup read '
            'from the page\'s text, about one lexbor parse of CPU) or "whole" (none was, or '
            "none in place: the whole page parsed, 2-3x the CPU; Blizzard changed its markup).",
            ("reading",),
        )
        self.single_flight_waits = counter(
            "single_flight_waits_total",
            "Requests that joined an upstream fetch already under way instead of starting "
            "one, by page type.",
            ("page_type",),
        )
        # --- throttle --------------------------------------------------------------------
        self.throttle_rate_limited = counter(
            "throttle_rate_limited_total",
            "Blizzard 403 answers (rate limiting); each opens or extends a penalty window.",
        )
        self.throttle_refused = counter(
            "throttle_refused_total",
            "Upstream calls not sent because a penalty window was open (clients got 503).",
        )
        self.throttle_wait = histogram(
            "throttle_wait_seconds",
            "Time upstream calls waited for the throttle's minimum spacing.",
            (),
            THROTTLE_WAIT_BUCKETS,
        )
        # --- refresh jobs ----------------------------------------------------------------
        self.jobs_enqueued = counter(
            "refresh_jobs_enqueued_total",
            "Refresh jobs queued (stale data served), by kind; duplicates are not counted.",
            ("kind",),
        )
        self.jobs_finished = counter(
            "refresh_jobs_total",
            "Refresh job runs by kind and outcome (done; retry: failed, will run again; "
            "dead: failed for the last time).",
            ("kind", "outcome"),
        )
        self.job_duration = histogram(
            "refresh_job_duration_seconds",
            "Duration of refresh job runs, by kind.",
            ("kind",),
            JOB_BUCKETS,
        )
        # --- storage and players ---------------------------------------------------------
        self.storage_duration = histogram(
            "storage_operation_duration_seconds",
            "Duration of storage operations, by table and operation.",
            ("table", "operation"),
            STORAGE_BUCKETS,
        )
        self.storage_errors = counter(
            "storage_errors_total",
            "Storage operations that raised, by table and operation.",
            ("table", "operation"),
        )
        self.storage_decode_errors = counter(
            "storage_decode_errors_total",
            "Stored rows that could not be decoded (damage, a foreign writer, a bug), by "
            "table; each was answered as absent, fetched again and replaced.",
            ("table",),
        )
        for table in DECODED_TABLES:  # a series from the start, so alerts can use it
            self.storage_decode_errors.labels(table)
        self.unknown_players_refused = counter(
            "unknown_players_refused_total",
            "Requests for a player known not to exist, answered 404 without asking Blizzard "
            "(backoff still running).",
        )
        self._initialise_known_labels()

    def _initialise_known_labels(self) -> None:
        for page_type in PAGE_TYPES:
            # Only career pages are read in parts; every page can fail whole.
            for reason in PARSE_REASONS if page_type == "career" else (WHOLE_PAGE,):
                self.parse_errors.labels(page_type, reason)
            for status in UPSTREAM_STATUSES:
                self.upstream_requests.labels(page_type, status)
        for reading in CAREER_READINGS:
            self.career_readings.labels(reading)
        for flight in FLIGHT_PAGE_TYPES:
            self.single_flight_waits.labels(flight)
        for kind in JOB_KINDS:
            self.jobs_enqueued.labels(kind)
            for outcome in JOB_OUTCOMES:
                self.jobs_finished.labels(kind, outcome)
        for operation in CACHE_OPERATIONS:
            self.cache_errors.labels(operation)
        for table, operation in STORAGE_OPERATIONS:
            self.storage_duration.labels(table, operation)
            self.storage_errors.labels(table, operation)
