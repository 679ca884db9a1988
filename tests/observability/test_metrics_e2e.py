"""End to end: exercise the wired app (static routes, players, an unknown player, bad
input, a Blizzard 403, a broken page) and watch `GET /metrics` move; then check that
every metric the dashboards query is exported by the live app."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from app.main import create_app
from bench.harness import free_port, process
from tests.conftest import Pages
from tests.e2e.conftest import running
from tests.observability.promql import exposed_names, metric_names_in_dashboards, unknown_names

DASHBOARDS = Path(__file__).resolve().parents[2] / "grafana" / "dashboards"
TEKROP_CAREER = "/en-us/career/c65b8798bc61d6ffbba120%7Ccfe9dd77a4382165e2b920bdcc035949/"


class Scrape:
    """One parsed exposition; `value` sums the samples matching the labels given."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.families = list(text_string_to_metric_families(text))
        self.samples: list[Sample] = [s for f in self.families for s in f.samples]

    def value(self, name: str, **labels: str) -> float:
        return sum(
            s.value
            for s in self.samples
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
        )

    def label_values(self, name: str, label: str) -> set[str]:
        return {s.labels[label] for s in self.samples if s.name == name and label in s.labels}


async def scrape(client: httpx.AsyncClient) -> Scrape:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert response.headers["cache-control"] == "no-store"
    return Scrape(response.text)


async def get_all(client: httpx.AsyncClient, paths: Iterable[str]) -> list[int]:
    return [(await client.get(path)).status_code for path in paths]


async def test_metrics_is_served_and_left_out_of_the_schema(client: httpx.AsyncClient) -> None:
    metrics = await scrape(client)
    schema = (await client.get("/openapi.json")).json()

    assert "/metrics" not in schema["paths"]
    assert metrics.value("owdata_build_info") == 1
    assert metrics.value("owdata_storage_size_bytes") > 0  # read at scrape time
    assert metrics.value("process_resident_memory_bytes") > 0


async def test_static_routes_hits_and_misses(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    assert await get_all(client, ["/heroes", "/heroes", "/maps", "/heroes/ana"]) == [200] * 4
    after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    assert moved("owdata_http_requests_total", route="/heroes", method="GET", status="200") == 2
    assert moved("owdata_http_requests_total", route="/heroes/{hero_key}", status="200") == 1
    assert moved("owdata_http_request_duration_seconds_count", route="/maps") == 1
    assert moved("owdata_cache_lookups_total", result="fresh_hit") >= 1  # the second /heroes
    assert moved("owdata_cache_lookups_total", result="miss") >= 3
    assert moved("owdata_upstream_requests_total", page_type="heroes", status="200") >= 1
    assert moved("owdata_storage_operation_duration_seconds_count", table="static_data") >= 1
    assert after.value("owdata_storage_rows", table="static_data") >= 1
    assert after.value("owdata_http_requests_in_flight") == 0
    assert "/metrics" not in after.label_values("owdata_http_requests_total", "route")


async def test_a_head_miss_is_counted_as_head(client: httpx.AsyncClient) -> None:
    head = await client.head("/roles")  # a miss: the route's GET answer, without its body
    hit = await client.head("/roles")
    metrics = await scrape(client)

    assert head.status_code == hit.status_code == 200
    assert metrics.value("owdata_http_requests_total", route="/roles", method="HEAD") == 2
    assert metrics.value("owdata_http_requests_total", route="/roles", method="GET") == 0


async def test_bad_input_and_unknown_paths(client: httpx.AsyncClient) -> None:
    paths = ["/heroes?locale=xx-xx", "/heroes/ANA", "/heroes?" + "x=1&" * 2000, "/wp-login.php"]
    assert await get_all(client, paths) == [422, 422, 414, 404]
    metrics = await scrape(client)

    assert metrics.value("owdata_http_requests_total", route="/heroes", status="422") == 1
    assert (
        metrics.value("owdata_http_requests_total", route="/heroes/{hero_key}", status="422") == 1
    )
    assert metrics.value("owdata_http_requests_total", route="/heroes", status="414") == 1
    assert metrics.value("owdata_http_requests_total", route="other", status="404") == 1
    assert metrics.value("owdata_upstream_requests_total") == 0


async def test_players_unknown_players_and_bounded_labels(client: httpx.AsyncClient) -> None:
    statuses = await get_all(
        client,
        [
            "/players/TeKrop-2217/summary",
            "/players/TeKrop-2217/stats/summary",
            "/players?name=TeKrop",
            "/players/Unknown-1234/summary",  # 404: Blizzard has no such player
            "/players/Unknown-1234",  # 404 again, refused by the backoff without asking
        ],
    )
    metrics = await scrape(client)

    assert statuses == [200, 200, 200, 404, 404]
    routes = metrics.label_values("owdata_http_requests_total", "route")
    assert {"/players/{player_id}/summary", "/players/{player_id}/stats/summary"} <= routes
    assert {"/players", "/players/{player_id}"} <= routes
    assert "TeKrop" not in metrics.text  # no player id ever becomes a label value
    assert "Unknown-1234" not in metrics.text
    assert metrics.value("owdata_upstream_requests_total", page_type="career") >= 1
    assert metrics.value("owdata_unknown_players_refused_total") == 1
    assert metrics.value("owdata_unknown_players") == 1


async def test_a_fresh_stored_profile_answers_from_one_storage_read(
    client: httpx.AsyncClient,
) -> None:
    def reads(metrics: Scrape, table: str) -> float:
        name = "owdata_storage_operation_duration_seconds_count"
        return sum(
            s.value
            for s in metrics.samples
            if s.name == name and s.labels["table"] == table and s.labels["operation"] != "put"
        )

    assert (await client.get("/players/TeKrop-2217/summary")).status_code == 200  # fetched
    before = await scrape(client)

    served = await client.get("/players/TeKrop-2217/stats/summary")  # a response-cache miss
    after = await scrape(client)

    assert served.status_code == 200
    assert served.headers["x-cache-status"] == "miss"
    assert reads(after, "player_profiles") - reads(before, "player_profiles") == 1
    assert reads(after, "unknown_players") == reads(before, "unknown_players")


async def test_known_label_sets_are_exported_at_zero_from_the_start(
    client: httpx.AsyncClient,
) -> None:
    metrics = await scrape(client)

    for kind in ("refresh_static", "refresh_player"):
        assert f'owdata_refresh_jobs_enqueued_total{{kind="{kind}"}} 0.0' in metrics.text
        for outcome in ("done", "retry", "dead"):
            sample = f'owdata_refresh_jobs_total{{kind="{kind}",outcome="{outcome}"}} 0.0'
            assert sample in metrics.text
    assert 'owdata_parse_errors_total{page_type="career",reason="page"} 0.0' in metrics.text
    sample = 'owdata_parse_errors_total{page_type="career",reason="unreadable_value"} 0.0'
    assert sample in metrics.text
    assert 'owdata_parse_errors_total{page_type="hero",reason="page"} 0.0' in metrics.text
    assert 'owdata_cache_errors_total{operation="get"} 0.0' in metrics.text
    assert 'owdata_single_flight_waits_total{page_type="player"} 0.0' in metrics.text
    sample = 'owdata_upstream_requests_total{page_type="heroes",status="403"} 0.0'
    assert sample in metrics.text


async def test_serving_stale_data_counts_the_refresh_job_it_queues(
    settings: Settings, upstream: FakeUpstreamServer
) -> None:
    now = [1_800_000_000.0]
    async with running(settings, clock=lambda: now[0]) as http:
        assert (await http.get("/roles")).status_code == 200
    now[0] += settings.roles_staleness_threshold + 10
    upstream.app.status_override = 500  # the refresh fails: the job stays, nothing re-queued

    async with running(settings, clock=lambda: now[0]) as http:
        stale = await http.get("/roles")
        metrics = await scrape(http)

    assert stale.headers["x-cache-status"] == "stale"
    assert metrics.value("owdata_refresh_jobs_enqueued_total", kind="refresh_static") == 1
    assert metrics.value("owdata_refresh_jobs_enqueued_total", kind="refresh_player") == 0


async def test_a_blizzard_403_opens_a_penalty(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    upstream.app.status_override = 403
    first = await client.get("/heroes/ana")
    second = await client.get("/heroes/mercy")
    metrics = await scrape(client)

    assert first.status_code == second.status_code == 503
    assert metrics.value("owdata_upstream_requests_total", status="403") == 1
    assert metrics.value("owdata_throttle_rate_limited_total") == 1
    assert metrics.value("owdata_throttle_refused_total") >= 1  # the second was not sent
    assert metrics.value("owdata_throttle_penalty_active") == 1
    assert 0 < metrics.value("owdata_throttle_penalty_remaining_seconds") <= 60
    assert (
        metrics.value("owdata_http_requests_total", route="/heroes/{hero_key}", status="503") == 2
    )


async def test_a_page_that_no_longer_parses(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    upstream.app.page_overrides[TEKROP_CAREER] = (200, b"<html>redesigned</html>")
    broken = await client.get("/players/TeKrop-2217/summary")
    metrics = await scrape(client)

    assert broken.status_code in (404, 502)
    assert metrics.value("owdata_parse_errors_total", page_type="career", reason="page") == 1


async def test_career_pages_are_counted_by_how_they_were_read(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer, pages: Pages
) -> None:
    # TeKrop's page with every stat card and bar opened as `<div class="…" >`: the same
    # tree, but no block in Blizzard's markup as text, so the whole page is parsed.
    page = pages.blizzard("en-us/career/TeKrop-2217/index.html")
    changed = re.sub(
        r'<div class="(category|Profile-progressBar(?: hide)?)">', r'<div class="\1" >', page
    )
    assert changed.count('" >') > 500
    upstream.app.page_overrides[TEKROP_CAREER] = (200, changed.encode())
    before = await scrape(client)

    statuses = await get_all(client, ["/players/TeKrop-2217/summary", "/players/JohnV1-1190"])
    after = await scrape(client)

    assert statuses == [200, 200]
    assert before.value("owdata_career_pages_parsed_total", reading="whole") == 0
    assert after.value("owdata_career_pages_parsed_total", reading="whole") == 1
    assert after.value("owdata_career_pages_parsed_total", reading="text") == 1


async def test_dashboards_only_query_what_the_live_app_exports(
    client: httpx.AsyncClient, upstream: FakeUpstreamServer
) -> None:
    await get_all(client, ["/heroes", "/heroes", "/players/TeKrop-2217", "/heroes?locale=x"])
    upstream.app.status_override = 403
    await get_all(client, ["/heroes/ana", "/heroes/mercy"])
    metrics = await scrape(client)

    exported = exposed_names(metrics.families)
    assert not unknown_names(metric_names_in_dashboards(DASHBOARDS), exported)


async def test_metrics_can_be_turned_off(settings: Settings) -> None:
    app: FastAPI = create_app(settings.model_copy(update={"metrics_enabled": False}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://owdata.test") as http:
            assert (await http.get("/metrics")).status_code == 404
            assert (await http.get("/maps")).status_code == 200


def _scrape_until(
    http: httpx.Client, url: str, done: Callable[[Scrape], bool], within: float = 30.0
) -> Scrape:
    """Scrape `url` until `done(scrape)`: a readiness condition, never a fixed sleep."""
    deadline = time.monotonic() + within
    while True:
        answer = http.get(url)
        if answer.status_code == 200 and done(scrape := Scrape(answer.text)):
            return scrape
        if time.monotonic() > deadline:
            raise AssertionError(f"{url}: condition still false after {within} s")
        time.sleep(0.1)


def _live_workers(scrape: Scrape) -> int:
    return len(scrape.label_values("process_resident_memory_bytes", "pid"))


def test_several_workers_are_scraped_as_one(
    fake_upstream_server: FakeUpstreamServer, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"]
    env = {
        "BLIZZARD_HOST": fake_upstream_server.url,
        "STORAGE_PATH": str(tmp_path / "owdata.db"),
        "LOG_LEVEL": "warning",
    }
    # No keep-alive: each request is a new connection that either worker may accept.
    fresh_connections = httpx.Limits(max_keepalive_connections=0)
    metrics_url = f"{base}/metrics"
    with (
        process(serve, env=env, ready_url=f"{base}/openapi.json"),
        httpx.Client(limits=fresh_connections) as http,
    ):
        # `ready_url` answered means one worker is up, not both: wait for the second.
        _scrape_until(http, metrics_url, lambda s: _live_workers(s) == 2)
        for _ in range(30):
            assert http.get(f"{base}/maps").status_code == 200
        # The worker not answering a scrape shares its counts on its own flush timer.
        _scrape_until(
            http, metrics_url, lambda s: s.value("owdata_http_requests_total", route="/maps") == 30
        )
        # Each scrape lands on either worker; all of them must report the same totals.
        answers = [http.get(metrics_url) for _ in range(8)]

    assert {answer.status_code for answer in answers} == {200}
    scrapes = [Scrape(answer.text) for answer in answers]
    totals = {s.value("owdata_http_requests_total", route="/maps") for s in scrapes}
    assert totals == {30}
    assert {_live_workers(s) for s in scrapes} == {2}
