"""docker-compose.yml, the Dockerfile and .env.dist, checked without a Docker engine.

The Compose specification itself is checked by dclint (its JSON schema, plus its
best-practice rules); the properties this stack promises are checked here on the parsed
file: which services run by default, health-gated start-up, what is published, where data
lives, and that the default `docker compose up` needs no secret.
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
import yaml

from app.config import Settings
from tests.deploy.conftest import ENTRYPOINT, REPO, require_tool

COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
ENV_DIST = REPO / ".env.dist"
DEPLOYMENT_HEADER = "# --- Deployment (docker compose and nginx) ---"

DEFAULT_SERVICES = {"nginx", "app", "worker", "valkey"}
MONITORING_SERVICES = {"prometheus", "grafana", "grafana-password-check", "valkey-exporter"}
NAMED_VOLUMES = {
    "postgres": "postgres-data",
    "app": "owdata-data",
    "worker": "owdata-data",
    "valkey": "valkey-data",
    "prometheus": "prometheus-data",
    "grafana": "grafana-data",
}


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return data


def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose()["services"]
    return found


def deployment_variables() -> dict[str, str]:
    """Names and defaults of the `.env.dist` deployment section."""
    lines = ENV_DIST.read_text().splitlines()
    section: dict[str, str] = {}
    for line in lines[lines.index(DEPLOYMENT_HEADER) + 1 :]:
        if line.startswith("# ---"):
            break
        if match := re.match(r"^([A-Z0-9_]+)=(.*)$", line):
            section[match.group(1)] = match.group(2)
    return section


def test_compose_file_follows_the_compose_specification() -> None:
    dclint = require_tool("dclint", "npm install --global dclint@3.1.0")

    result = subprocess.run(
        [dclint, "--color", "false", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "problems" not in result.stdout, result.stdout


def test_default_services_and_the_monitoring_profile() -> None:
    profiles = {name: service.get("profiles", []) for name, service in services().items()}

    assert {name for name, p in profiles.items() if not p} == DEFAULT_SERVICES
    assert {name for name, p in profiles.items() if p == ["monitoring"]} == MONITORING_SERVICES
    assert {name for name, p in profiles.items() if p == ["postgres"]} == {"postgres"}


def strings(node: object) -> list[str]:
    """Every string in a parsed YAML document: what Compose interpolates."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for key, value in node.items() for text in strings(key) + strings(value)]
    if isinstance(node, list):
        return [text for item in node for text in strings(item)]
    return []


def test_the_default_up_needs_no_secret() -> None:
    # Compose fails on `${VAR:?message}` (and `${VAR?message}`) even in a service whose
    # profile is inactive, so no required variable may appear anywhere in the file.
    required = re.compile(r"\$\{[A-Za-z0-9_]+:?\?")

    assert not [text for text in strings(compose()) if required.search(text)]
    check = services()["grafana-password-check"]
    assert check["environment"]["GRAFANA_ADMIN_PASSWORD"] == "${GRAFANA_ADMIN_PASSWORD:-}"
    assert "set GRAFANA_ADMIN_PASSWORD in .env" in check["entrypoint"][-1]
    assert services()["grafana"]["depends_on"]["grafana-password-check"] == {
        "condition": "service_completed_successfully"
    }


def test_start_up_is_gated_by_health_checks() -> None:
    for name, service in services().items():
        for dependency, rule in service.get("depends_on", {}).items():
            expected = (
                "service_completed_successfully"
                if dependency == "grafana-password-check"
                else "service_healthy"
            )
            assert rule["condition"] == expected, f"{name} → {dependency}"
            assert "healthcheck" in services()[dependency] or expected != "service_healthy"
    # Every long-running service says how to tell it is healthy; the worker serves no
    # HTTP and the password check runs once.
    for name, service in services().items():
        if name not in {"worker", "grafana-password-check"}:
            assert service["healthcheck"]["test"], name


def test_only_nginx_is_public_and_no_metrics_port_is_published() -> None:
    published = {name: service.get("ports", []) for name, service in services().items()}

    assert {name for name, ports in published.items() if ports} == {
        "nginx",
        "prometheus",
        "grafana",
    }
    (public,) = published["nginx"]
    assert public["host_ip"] == "${APP_BIND_ADDRESS:-0.0.0.0}"
    assert public["published"] == "${APP_PORT:-8080}"
    assert public["target"] == 8080
    # The operators' UIs default to the host's loopback.
    assert published["prometheus"][0]["host_ip"] == "127.0.0.1"
    assert published["grafana"][0]["host_ip"] == "${GRAFANA_BIND_ADDRESS:-127.0.0.1}"


def test_data_lives_on_named_volumes() -> None:
    declared = set(compose()["volumes"])

    assert declared == set(NAMED_VOLUMES.values())
    for name, volume in NAMED_VOLUMES.items():
        sources = {mount.split(":")[0] for mount in services()[name]["volumes"]}
        assert volume in sources, name


def test_the_app_stores_its_database_on_the_volume_whatever_env_says() -> None:
    # `environment` wins over `env_file`: a .env copied from .env.dist (STORAGE_PATH=data/...)
    # must not move the database off the volume.
    for name in ("app", "worker"):
        service = services()[name]
        assert service["environment"]["STORAGE_PATH"] == "/data/owdata.db"
        assert service["environment"]["VALKEY_URL"] == "valkey://valkey:6379/0"
        assert service["env_file"] == [{"path": ".env", "required": False}]
    assert services()["app"]["environment"]["JOBS_IN_PROCESS"] == "false"
    assert services()["worker"]["command"] == ["worker"]
    assert services()["app"]["command"][:5] == ["serve", "--host", "0.0.0.0", "--port", "8080"]


def test_the_app_and_worker_environment_names_only_owdata_settings() -> None:
    settings = {name.upper() for name in Settings.model_fields}
    for name in ("app", "worker"):
        assert sorted(set(services()[name]["environment"]) - settings) == [], name


def test_the_postgres_profile_serves_app_and_worker_without_a_secret() -> None:
    postgres = services()["postgres"]
    environment = postgres["environment"]

    # A default password: the profile starts from a bare `cp .env.dist .env`.
    assert environment["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD:-owdata}"
    assert (environment["POSTGRES_USER"], environment["POSTGRES_DB"]) == ("owdata", "owdata")
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert "ports" not in postgres  # the compose network only
    # App and worker wait for it when the profile runs, and start without it otherwise.
    for name in ("app", "worker"):
        rule = services()[name]["depends_on"]["postgres"]
        assert rule == {"condition": "service_healthy", "required": False}, name
    # The URL the README and .env.dist give points at this service with these defaults.
    url = "DATABASE_URL=postgresql://owdata:owdata@postgres:5432/owdata"
    assert url in ENV_DIST.read_text()
    assert url in (REPO / "README.md").read_text()


def test_valkey_persists_and_evicts_like_a_cache() -> None:
    command = services()["valkey"]["command"]

    assert command[command.index("--maxmemory") + 1] == "${VALKEY_MEMORY_LIMIT:-256mb}"
    policy = command[command.index("--maxmemory-policy") + 1]
    assert policy == "${VALKEY_MAXMEMORY_POLICY:-allkeys-lru}"
    assert "--save" in command
    assert "valkey-cli ping" in services()["valkey"]["healthcheck"]["test"][1]


def test_every_variable_the_stack_reads_is_in_env_dist_with_its_default() -> None:
    documented = deployment_variables()
    used = dict(re.findall(r"\$\{([A-Z0-9_]+):-([^}]*)\}", COMPOSE_FILE.read_text()))
    entrypoint = dict(
        re.findall(r"^setting (NGINX_[A-Z_]+) '?([^' ]*)'? ", ENTRYPOINT.read_text(), re.M)
    )

    assert set(used) <= set(documented)
    assert set(entrypoint) <= set(documented)
    for name, default in used.items():
        # Compose passes nginx's settings through empty: the entry point's default applies.
        assert default in ("", documented[name]), name
    for name, default in entrypoint.items():
        assert documented[name] == default, name
    # Every nginx setting reaches the nginx container.
    nginx_environment = set(services()["nginx"]["environment"])
    assert set(entrypoint) <= nginx_environment


def test_mounted_configuration_paths() -> None:
    def sources(name: str) -> set[str]:
        return {m.split(":")[0] for m in services()[name]["volumes"]}

    assert "./nginx" in sources("nginx")
    assert (REPO / "nginx" / "nginx.conf.template").is_file()
    assert {"./prometheus/prometheus.yml", "./prometheus/alerts.yml"} <= sources("prometheus")
    assert {"./grafana/provisioning", "./grafana/dashboards"} <= sources("grafana")


def test_dockerfile_builds_a_slim_non_root_image_with_a_health_check() -> None:
    text = DOCKERFILE.read_text()
    runtime = text.split("AS runtime", 1)[1]

    assert "uv sync --frozen --no-dev" in text
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.12-slim", text, re.M)
    assert re.search(r"^USER 10001:10001$", runtime, re.M)
    assert "HEALTHCHECK" in runtime
    assert "urllib.request" in runtime
    assert 'ENTRYPOINT ["owdata"]' in runtime
    assert 'VOLUME ["/data"]' in runtime
    assert "STORAGE_PATH=/data/owdata.db" in runtime
    assert "uv" not in runtime.replace("urllib", ""), "uv stays in the builder stage"


@pytest.mark.parametrize("kept_out", [".env", ".git", ".venv", "tests", "data"])
def test_the_build_context_is_an_allow_list(kept_out: str) -> None:
    rules = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    assert rules[0] == "*"
    assert f"!{kept_out}" not in rules
    assert {"!app/", "!pyproject.toml", "!uv.lock", "!README.md"} <= set(rules)
