"""Every Grafana dashboard is well formed, uses the provisioned datasource, queries only
metrics that owdata (or a documented exporter) exports, and its PromQL parses."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.metrics import Metrics
from tests.observability.exercise import exercise_every_hook
from tests.observability.promql import (
    REDIS_EXPORTER_METRICS,
    exposed_names,
    load_dashboards,
    metric_names,
    metric_names_in_dashboards,
    panel_expressions,
    unknown_names,
)

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "grafana"
DASHBOARDS = load_dashboards(GRAFANA / "dashboards")
# Grafana's query variables, replaced by plausible values for a syntax check.
VARIABLES = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "6h"}
# owdata metrics no panel needs, and why.
NOT_ON_A_DASHBOARD = {
    "owdata_throttle_penalty_active": "the penalty remaining panels show the same, in seconds",
    "owdata_memory_cache_entries": "the in-process cache is shown by its size in bytes",
}


def substitute(expr: str) -> str:
    for variable, value in VARIABLES.items():
        expr = expr.replace(variable, value)
    return expr


def provisioned_datasource_uid() -> str:
    text = (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    uids: list[str] = re.findall(r"^\s+uid:\s*(\S+)\s*$", text, re.MULTILINE)
    assert len(uids) == 1, uids
    return uids[0]


def panels(container: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in container.get("panels", []):
        found.append(panel)
        found.extend(panels(panel))
    return found


def test_there_is_a_dashboard_per_concern() -> None:
    titles = " ".join(d["title"] for d in DASHBOARDS.values())

    for concern in ("API", "Blizzard", "Cache", "storage", "Refresh jobs", "Processes"):
        assert concern in titles


def test_dashboards_are_well_formed() -> None:
    uid = provisioned_datasource_uid()
    uids = [dashboard["uid"] for dashboard in DASHBOARDS.values()]
    assert len(uids) == len(set(uids))
    for file, dashboard in DASHBOARDS.items():
        assert dashboard["title"], file
        assert re.fullmatch(r"[a-z0-9-]{1,40}", dashboard["uid"]), file
        ids = [panel["id"] for panel in panels(dashboard)]
        assert len(ids) == len(set(ids)), file
        for panel in panels(dashboard):
            where = f"{file.name}: {panel.get('title')}"
            assert panel["title"], where
            grid = panel["gridPos"]
            assert grid["x"] + grid["w"] <= 24, where
            if panel["type"] == "row":
                continue
            assert panel["datasource"] == {"type": "prometheus", "uid": uid}, where
            assert panel["targets"], where
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == uid, where
                assert target["expr"].strip(), where


def test_dashboards_only_query_exported_metrics(metrics: Metrics) -> None:
    exercise_every_hook(metrics)
    exported = exposed_names(metrics.registry.collect())

    assert not unknown_names(metric_names_in_dashboards(GRAFANA / "dashboards"), exported)


def owdata_families(metrics: Metrics) -> set[str]:
    exercise_every_hook(metrics)
    return {
        family.name for family in metrics.registry.collect() if family.name.startswith("owdata_")
    }


def test_every_owdata_metric_is_on_a_dashboard(metrics: Metrics) -> None:
    used = metric_names_in_dashboards(GRAFANA / "dashboards")

    missing = {
        family
        for family in owdata_families(metrics) - set(NOT_ON_A_DASHBOARD)
        if not any(name == family or name.startswith(f"{family}_") for name in used)
    }

    assert not missing


def test_parse_errors_are_shown_by_reason() -> None:
    # Whole pages (reason="page", answered 502) and parts dropped from a served page are
    # different troubles: no panel mixes them without the reason.
    exprs = [
        expr
        for dashboard in DASHBOARDS.values()
        for _, expr in panel_expressions(dashboard)
        if "owdata_parse_errors_total" in metric_names(expr)
    ]

    assert exprs
    assert all("reason" in expr for expr in exprs), exprs
    assert any(re.search(r"by \([^)]*\breason\b", expr) for expr in exprs), exprs


def test_the_checker_catches_a_misspelt_metric(metrics: Metrics) -> None:
    exported = exposed_names(metrics.registry.collect())
    used = metric_names("sum(rate(owdata_http_request_total[5m])) + redis_up")

    assert unknown_names(used, exported) == {"owdata_http_request_total"}


def test_exporter_names_used_are_documented_ones() -> None:
    used = {n for n in metric_names_in_dashboards(GRAFANA / "dashboards") if n.startswith("redis_")}

    assert used <= REDIS_EXPORTER_METRICS


@pytest.mark.parametrize("file", list(DASHBOARDS), ids=lambda file: file.name)
def test_every_expression_parses(promtool: str, file: Path, tmp_path: Path) -> None:
    rules = []
    for index, (_, expr) in enumerate(panel_expressions(DASHBOARDS[file])):
        rules.append({"record": f"dashboard:check_{index}", "expr": substitute(expr)})
    rules_file = tmp_path / "rules.yml"  # JSON is YAML: no YAML writer needed
    rules_file.write_text(json.dumps({"groups": [{"name": file.stem, "rules": rules}]}))

    done = subprocess.run(
        [promtool, "check", "rules", str(rules_file)], capture_output=True, text=True, check=False
    )

    assert done.returncode == 0, done.stdout + done.stderr
