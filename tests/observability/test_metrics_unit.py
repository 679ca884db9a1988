"""The `Metrics` facade records what it says, scrape-time gauges are read at scrape time,
route templates keep label cardinality bounded, and the middleware counts every request."""

from __future__ import annotations

import ast
import asyncio
import random
import re
import string
from pathlib import Path

import httpx
import pytest
from prometheus_client.samples import Sample
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from app.api.metrics_middleware import (
    OTHER,
    ROUTE_TEMPLATES,
    ROUTES,
    MetricsMiddleware,
    RouteTemplates,
)
from app.config import Settings
from app.main import create_app
from app.metrics import GaugeSources, Metrics
from app.ports import StorageStats
from tests.observability.exercise import exercise_every_hook


def value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_each_hook_records_its_metric(metrics: Metrics) -> None:
    exercise_every_hook(metrics)
    metrics.response_cache_counts("memory").miss += 1

    assert value(metrics, "owdata_upstream_requests_total", page_type="heroes", status="200") == 1
    assert value(metrics, "owdata_upstream_request_duration_seconds_sum", page_type="heroes") == 0.2
    assert (
        value(
            metrics,
            "owdata_storage_operation_duration_seconds_count",
            table="static_data",
            operation="put",
        )
        == 1
    )
    assert value(metrics, "owdata_storage_errors_total", table="static_data", operation="put") == 1
    # Every operation's series exists from the start; a successful one counts no error.
    assert value(metrics, "owdata_storage_errors_total", table="static_data", operation="get") == 0
    assert value(metrics, "owdata_cache_lookups_total", layer="memory", result="fresh_hit") == 1
    assert value(metrics, "owdata_cache_lookups_total", layer="memory", result="miss") == 1
    assert value(metrics, "owdata_cache_lookups_total", layer="storage", result="stale_hit") == 1
    assert value(metrics, "owdata_cache_errors_total", operation="get") == 1
    assert value(metrics, "owdata_parse_errors_total", page_type="hero", reason="page") == 1
    assert (
        value(metrics, "owdata_parse_errors_total", page_type="career", reason="unreadable_value")
        == 1
    )
    assert value(metrics, "owdata_single_flight_waits_total", page_type="career") == 1
    assert value(metrics, "owdata_throttle_rate_limited_total") == 1
    assert value(metrics, "owdata_throttle_refused_total") == 1
    assert value(metrics, "owdata_throttle_wait_seconds_count") == 1
    assert value(metrics, "owdata_refresh_jobs_enqueued_total", kind="player") == 1
    assert value(metrics, "owdata_refresh_jobs_total", kind="player", outcome="done") == 1
    assert value(metrics, "owdata_refresh_job_duration_seconds_sum", kind="player") == 1.5
    assert value(metrics, "owdata_unknown_players_refused_total") == 1
    results = {s.labels["result"] for s in _samples(metrics, "owdata_cache_lookups_total")}
    assert results == {"fresh_hit", "stale_hit", "miss"}


def _samples(metrics: Metrics, name: str) -> list[Sample]:
    return [s for f in metrics.registry.collect() for s in f.samples if s.name == name]


def test_scrape_time_gauges_show_the_latest_snapshot_and_hide_unknowns(metrics: Metrics) -> None:
    assert value(metrics, "owdata_storage_size_bytes") is None  # nothing known yet
    exercise_every_hook(metrics)

    assert value(metrics, "owdata_storage_size_bytes") == 4096
    assert value(metrics, "owdata_storage_rows", table="player_profiles") == 2
    assert value(metrics, "owdata_unknown_players") == 1
    assert value(metrics, "owdata_refresh_queue_jobs", state="queued") == 1
    assert value(metrics, "owdata_refresh_queue_jobs", state="dead") == 0
    assert value(metrics, "owdata_memory_cache_bytes") == 2048
    assert value(metrics, "owdata_throttle_penalty_active") == 0
    metrics.throttle_state(delay=10.0, penalty_remaining=42.5)
    assert value(metrics, "owdata_throttle_delay_seconds") == 10
    assert value(metrics, "owdata_throttle_penalty_remaining_seconds") == 42.5
    assert value(metrics, "owdata_throttle_penalty_active") == 1
    assert value(metrics, "owdata_build_info", version="test") == 1


async def test_refresh_reads_sources_and_leaves_out_failing_ones(metrics: Metrics) -> None:
    async def stats() -> StorageStats:
        return StorageStats(100, {"unknown_players": 7})

    async def broken() -> dict[str, int]:
        raise OSError("database is locked")

    async def stuck() -> tuple[float, float]:
        await asyncio.sleep(60)
        raise AssertionError("unreachable")

    metrics.watch(GaugeSources(storage=stats, queue_depth=broken, throttle=stuck, timeout=0.05))
    await metrics.refresh()

    assert value(metrics, "owdata_storage_size_bytes") == 100
    assert value(metrics, "owdata_unknown_players") == 7
    assert value(metrics, "owdata_refresh_queue_jobs", state="queued") is None
    assert value(metrics, "owdata_throttle_delay_seconds") is None
    assert value(metrics, "owdata_scrape_source_up", source="storage") == 1
    assert value(metrics, "owdata_scrape_source_up", source="queue_depth") == 0
    assert value(metrics, "owdata_scrape_source_up", source="throttle") == 0


async def test_throttle_hooks_and_scrape_time_status(metrics: Metrics) -> None:
    observer = metrics.throttle_observer
    observer.wait(0.25)
    observer.rate_limited()
    observer.refused()
    observer.state(20.0, 60.0)
    await metrics.refresh()  # no throttle source: the hooks' last state stays

    assert value(metrics, "owdata_throttle_wait_seconds_sum") == 0.25
    assert value(metrics, "owdata_throttle_rate_limited_total") == 1
    assert value(metrics, "owdata_throttle_refused_total") == 1
    assert value(metrics, "owdata_throttle_penalty_remaining_seconds") == 60

    async def status() -> tuple[float, float]:
        return 20.0, 12.5

    metrics.watch(GaugeSources(throttle=status))
    await metrics.refresh()  # read now: the penalty has been running down since

    assert value(metrics, "owdata_throttle_penalty_remaining_seconds") == 12.5


def test_each_metrics_object_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.parse_error("hero")

    assert (
        second.registry.get_sample_value(
            "owdata_parse_errors_total", {"page_type": "hero", "reason": "page"}
        )
        == 0
    )


def test_render_speaks_text_and_openmetrics(metrics: Metrics) -> None:
    metrics.parse_error("hero")
    text, text_type = metrics.render()
    om, om_type = metrics.render("application/openmetrics-text; version=1.0.0")

    assert text_type.startswith("text/plain")
    assert om_type.startswith("application/openmetrics-text")
    assert b'owdata_parse_errors_total{page_type="hero",reason="page"} 1.0' in text
    assert b"process_resident_memory_bytes" in text
    assert om.endswith(b"# EOF\n")


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/heroes", "/heroes"),
        ("/heroes/", "/heroes"),
        ("/heroes/stats", "/heroes/stats"),
        ("/heroes/ana", "/heroes/{hero_key}"),
        ("/players", "/players"),
        ("/players/TeKrop-2217", "/players/{player_id}"),
        (
            "/players/c65b8798bc61d6ffbba120|cfe9dd77a4382165e2b920bdcc035949/summary",
            "/players/{player_id}/summary",
        ),
        ("/players/TeKrop-2217/stats", "/players/{player_id}/stats"),
        ("/players/TeKrop-2217/stats/summary", "/players/{player_id}/stats/summary"),
        ("/players/TeKrop-2217/stats/career", "/players/{player_id}/stats/career"),
        ("/static/maps/ilios.jpg", "/static/{path}"),
        ("/", "/"),
        ("/wp-login.php", OTHER),
        ("/heroes/ana/extra", OTHER),
        ("/players/TeKrop-2217/stats/bogus", OTHER),
    ],
)
def test_paths_map_to_their_route_template(path: str, template: str) -> None:
    assert ROUTES(path) == template


def test_random_paths_never_create_new_labels() -> None:
    rng = random.Random(5)
    alphabet = string.ascii_letters + string.digits + "/-_.%|"
    labels = {
        ROUTES("/" + "".join(rng.choices(alphabet, k=rng.randint(0, 60)))) for _ in range(5000)
    }

    allowed = {re.sub(r":path\}", "}", t) for t in ROUTE_TEMPLATES} | {OTHER}
    assert labels <= allowed


def test_every_route_of_the_app_has_its_template(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    settings = Settings(
        _env_file=None, storage_path=tmp_path / "x.db", static_dir=tmp_path / "static"
    )
    app = create_app(settings)
    # The API's routes (from its schema) and the framework's own (docs, static files).
    templates = set(app.openapi()["paths"]) | {r.path for r in app.routes if isinstance(r, Route)}
    assert "/heroes/{hero_key}" in templates
    for template in templates:
        assert ROUTES(re.sub(r"\{[^}]+\}", "some-value", template)) == template
    mounts = [route.path for route in app.routes if isinstance(route, Mount)]
    for mount in mounts:
        assert ROUTES(mount + "/some/file.png") == mount + "/{path}"


def tiny_app(metrics: Metrics) -> httpx.AsyncClient:
    async def ok(request: Request) -> PlainTextResponse:
        in_flight = metrics.registry.get_sample_value(
            "owdata_http_requests_in_flight", {"route": "/items/{item_id}"}
        )
        return PlainTextResponse(f"in flight: {in_flight}")

    async def boom(request: Request) -> PlainTextResponse:
        raise RuntimeError("bug")

    app = Starlette(
        routes=[
            Route("/items/{item_id}", ok, methods=["GET", "HEAD", "BREW"]),
            Route("/boom", boom),
        ]
    )
    routes = RouteTemplates(["/items/{item_id}", "/boom"])
    wrapped = MetricsMiddleware(app, metrics=metrics, routes=routes)
    transport = httpx.ASGITransport(app=wrapped, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_middleware_counts_times_and_tracks_in_flight(metrics: Metrics) -> None:
    async with tiny_app(metrics) as client:
        first = await client.get("/items/1")
        await client.get("/items/2")
        await client.head("/items/3")
        await client.request("BREW", "/items/4")
        await client.get("/boom")
        await client.get("/nope/../../etc/passwd")
        await client.get("/metrics")  # scrapes are not counted

    assert first.text == "in flight: 1"
    assert (
        value(
            metrics,
            "owdata_http_requests_total",
            route="/items/{item_id}",
            method="GET",
            status="200",
        )
        == 2
    )
    assert (
        value(
            metrics,
            "owdata_http_requests_total",
            route="/items/{item_id}",
            method="HEAD",
            status="200",
        )
        == 1
    )
    assert (
        value(
            metrics,
            "owdata_http_requests_total",
            route="/items/{item_id}",
            method="OTHER",
            status="200",
        )
        == 1
    )
    assert (
        value(metrics, "owdata_http_requests_total", route="/boom", method="GET", status="500") == 1
    )
    assert (
        value(metrics, "owdata_http_requests_total", route=OTHER, method="GET", status="404") == 1
    )
    assert (
        value(
            metrics,
            "owdata_http_request_duration_seconds_count",
            route="/items/{item_id}",
            method="GET",
        )
        == 2
    )
    assert value(metrics, "owdata_http_requests_in_flight", route="/items/{item_id}") == 0
    assert value(metrics, "owdata_http_requests_in_flight", route="/boom") == 0
    assert "/metrics" not in {
        s.labels["route"] for s in _samples(metrics, "owdata_http_requests_total")
    }


def test_the_job_kinds_exported_at_zero_are_the_ones_services_queue() -> None:
    from app.metrics.definitions import JOB_KINDS
    from app.services.players.profiles import REFRESH_PLAYER
    from app.services.static_pages import REFRESH_STATIC

    assert set(JOB_KINDS) == {REFRESH_STATIC, REFRESH_PLAYER}


def _timed_operations(source: str) -> set[tuple[str, str]]:
    """The (table, operation) of every `self._timed("table", "operation")` in `source`."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "_timed"
        ):
            table, operation = (ast.literal_eval(arg) for arg in node.args)
            found.add((table, operation))
    return found


@pytest.mark.parametrize("adapter", ["sqlite.py", "postgres.py"])
def test_the_storage_operations_exported_at_zero_are_the_ones_adapters_time(
    adapter: str, metrics: Metrics
) -> None:
    """Every series exists from the start: a first request does not create (and pay for)
    a histogram's children, and a dashboard's rate() has data from the first scrape."""
    from app.metrics.definitions import STORAGE_OPERATIONS

    source = (Path(__file__).parents[2] / "app/adapters/storage" / adapter).read_text()
    timed = _timed_operations(source)
    exported = {
        (s.labels["table"], s.labels["operation"])
        for s in _samples(metrics, "owdata_storage_operation_duration_seconds_count")
    }

    assert timed == set(STORAGE_OPERATIONS)
    assert exported == set(STORAGE_OPERATIONS)
