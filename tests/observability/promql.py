"""Which metric names Grafana dashboards query, and whether something exports each one.

`metric_names(expr)` runs a small PromQL tokenizer: it skips strings, numbers and
durations, `[...]` ranges, Grafana variables (`$__rate_interval`, `${job}`), label names
inside `{...}` and in `by`/`without`/`on`/`ignoring`/`group_*` lists, keywords, and
every identifier followed by `(`, `by` or `without` (functions and aggregations); what
is left is a metric name. `{__name__="x"}` selectors count as a use of `x`.

Example:
    >>> sorted(metric_names('sum by (le) (rate(a_bucket{job="x"}[$__rate_interval])) / b'))
    ['a_bucket', 'b']
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from prometheus_client.metrics_core import Metric

# oliver006/redis_exporter names used by the dashboards, as defined in its
# exporter/exporter.go (metricMapGauges, metricMapCounters and metricDescriptions; the
# README says "most items from the INFO command are exported"), with the default
# `redis` namespace.
REDIS_EXPORTER_METRICS = frozenset({
    "redis_up",
    "redis_memory_used_bytes",
    "redis_memory_max_bytes",
    "redis_db_keys",
    "redis_connected_clients",
    "redis_keyspace_hits_total",
    "redis_keyspace_misses_total",
    "redis_commands_processed_total",
    "redis_expired_keys_total",
    "redis_evicted_keys_total",
})  # fmt: skip
# Series Prometheus itself records for every target (prometheus.io, "Jobs and instances").
PROMETHEUS_SCRAPE_METRICS = frozenset({
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
})  # fmt: skip
DOCUMENTED_EXTERNAL = REDIS_EXPORTER_METRICS | PROMETHEUS_SCRAPE_METRICS

_KEYWORDS = frozenset({
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
    "and", "or", "unless", "atan2", "inf", "nan",
})  # fmt: skip
_LABEL_LISTS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
      | (?P<variable>\$\{[^}]*\}|\$\w+)
      | (?P<number>(?:0x[0-9a-fA-F]+|\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[a-z]*)
      | (?P<ident>[A-Za-z_:][\w:]*)
      | (?P<op>=~|!~|!=|==|<=|>=|.)""",
    re.VERBOSE,
)
_HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum", "_created")


def _tokens(expr: str) -> Iterator[tuple[str, str]]:
    for match in _TOKEN.finditer(expr):
        kind = match.lastgroup
        assert kind is not None
        if kind != "space":
            yield kind, match.group()


def metric_names(expr: str) -> set[str]:
    """Metric names an expression selects."""
    tokens = list(_tokens(expr))
    names: set[str] = set()
    braces = brackets = 0
    skip_list = False  # inside `by (...)` and the like
    for i, (kind, text) in enumerate(tokens):
        following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if skip_list:
            skip_list = text != ")"
        elif text in "{[":
            braces += text == "{"
            brackets += text == "["
        elif text in "}]":
            braces -= text == "}"
            brackets -= text == "]"
        elif braces and kind == "ident" and text == "__name__" and following in ("=", "=="):
            value = tokens[i + 2][1] if i + 2 < len(tokens) else ""
            names.add(value.strip("\"'`"))
        elif braces or brackets or kind != "ident":
            continue
        elif text.lower() in _LABEL_LISTS and following == "(":
            skip_list = True
        elif following == "(" or following.lower() in ("by", "without"):
            continue  # a function, or an aggregation written `sum by (x) (...)`
        elif text.lower() not in _KEYWORDS:
            names.add(text)
    return names


def panel_expressions(dashboard: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(panel title, expr) for every target of every panel, rows' panels included."""
    for panel in dashboard.get("panels", []):
        for target in panel.get("targets", []):
            if target.get("expr"):
                yield panel.get("title", ""), target["expr"]
        yield from panel_expressions(panel)  # a row holds its collapsed panels


def load_dashboards(path: Path) -> dict[Path, dict[str, Any]]:
    """Every `*.json` dashboard in `path` (a folder) or `path` itself (a file)."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    return {file: json.loads(file.read_text(encoding="utf-8")) for file in files}


def metric_names_in_dashboards(path: Path) -> set[str]:
    """Every metric name the dashboards under `path` query."""
    return {
        name
        for dashboard in load_dashboards(path).values()
        for _, expr in panel_expressions(dashboard)
        for name in metric_names(expr)
    }


def exposed_names(families: Iterable[Metric]) -> set[str]:
    """Every series name a scrape of `families` can contain, even before first use: a
    labelled metric has no sample until a label set is used, its name still counts."""
    names: set[str] = set()
    for family in families:
        names.update(sample.name for sample in family.samples)
        if family.type == "counter":
            names.update({f"{family.name}_total", f"{family.name}_created"})
        elif family.type in ("histogram", "summary"):
            names.update(family.name + suffix for suffix in _HISTOGRAM_SUFFIXES)
        else:
            names.add(family.name)
    return names


def unknown_names(used: Iterable[str], exported: set[str]) -> set[str]:
    """Names in `used` that neither owdata nor a documented exporter provides."""
    return {name for name in used if name not in exported and name not in DOCUMENTED_EXTERNAL}
