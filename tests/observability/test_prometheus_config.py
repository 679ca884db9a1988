"""The Prometheus configuration is valid, the alert rules pass their unit tests, and the
rules only use metrics owdata exports (promtool from Debian's `prometheus` package)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from app.domain.errors import WHOLE_PAGE
from app.metrics import Metrics
from tests.observability.exercise import exercise_every_hook
from tests.observability.promql import exposed_names, metric_names, unknown_names

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "prometheus"


def run(*args: str) -> str:
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_config_is_valid(promtool: str) -> None:
    # promtool resolves `rule_files` relative to the config, so the rules are checked too.
    out = run(promtool, "check", "config", str(PROMETHEUS / "prometheus.yml"))

    assert "SUCCESS: 1 rule files found" in out


def test_alert_rules_pass_their_unit_tests(promtool: str) -> None:
    out = run(promtool, "test", "rules", str(PROMETHEUS / "tests" / "alerts_test.yml"))

    assert "SUCCESS" in out


def alert_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_every_alert_is_unit_tested() -> None:
    tests = (PROMETHEUS / "tests" / "alerts_test.yml").read_text(encoding="utf-8")

    for rule in alert_rules():
        assert f"alertname: {rule['alert']}" in tests, rule["alert"]


def test_alerts_only_use_exported_metrics(metrics: Metrics) -> None:
    exercise_every_hook(metrics)
    exported = exposed_names(metrics.registry.collect())

    for rule in alert_rules():
        assert not unknown_names(metric_names(rule["expr"]), exported), rule["alert"]


def test_parse_alerts_split_whole_pages_from_dropped_parts() -> None:
    rules = {rule["alert"]: rule["expr"] for rule in alert_rules()}

    assert rules["OwdataParseErrors"].count(f'reason="{WHOLE_PAGE}"') == 3  # every selector
    assert f'reason!="{WHOLE_PAGE}"' in rules["OwdataParsePartsDropped"]


def test_scrape_targets_match_the_compose_services() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}

    assert jobs["owdata"]["dns_sd_configs"][0] == {
        "names": ["app"], "type": "A", "port": 8080, "refresh_interval": "30s"
    }  # fmt: skip
    assert jobs["owdata-worker"]["dns_sd_configs"][0]["port"] == 9000
    assert jobs["valkey"]["static_configs"][0]["targets"] == ["valkey-exporter:9121"]
