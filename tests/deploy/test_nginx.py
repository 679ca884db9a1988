"""nginx in front of the app: micro-cache, per-client limits, CORS, and what survives an
app outage. Each test asks for paths (and comes from a loopback address) of its own, so the
shared stack's cache and rate-limit buckets never depend on test order."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from app.devtools.fake_upstream import FakeUpstreamServer
from tests.deploy.conftest import (
    TEST_SETTINGS,
    TRUSTED_PROXY,
    NginxRequirements,
    PolicyStack,
    Stack,
    run_entrypoint,
    running_stack,
)

pytestmark = pytest.mark.nginx

BURST = int(TEST_SETTINGS["NGINX_RATE_LIMIT_BURST"])
CORS_ORIGIN = "access-control-allow-origin"


def wait_for_hits(stack: Stack, path: str, expected: int) -> int:
    """The app's count for `path` once it reached `expected` (its log is written after it
    answered), or whatever it is after a short grace period."""
    deadline = time.monotonic() + 2
    while stack.app.hits(path) < expected and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)  # room for a hit that should not be there to show up
    return stack.app.hits(path)


def wait_for_304(stack: Stack, path: str) -> bool:
    """Whether the app answered a conditional request for `path` with 304 (within 2 s)."""
    needle = f'"GET {path} HTTP/1.1" 304'
    deadline = time.monotonic() + 2
    while needle not in stack.app.log.read_text():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def raw_get(base_url: str, target: str) -> tuple[int, bytes]:
    """GET `target` exactly as written (httpx would normalise `..` away)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- configuration ------------------------------------------------------------------------


def test_rendered_configuration_passes_nginx_t(
    nginx_tools: NginxRequirements, prefix: Path
) -> None:
    settings = {"NGINX_UPSTREAM": "127.0.0.1:9", "NGINX_TRUSTED_PROXIES": "127.0.0.9, 10.0.0.0/8"}

    result = run_entrypoint(prefix, "check", settings)

    assert result.returncode == 0, result.stderr
    assert "is valid" in result.stderr
    conf = (prefix / "nginx.conf").read_text()
    assert "set_real_ip_from 127.0.0.9;" in conf
    assert "set_real_ip_from 10.0.0.0/8;" in conf
    assert not re.search(r"\$\{[A-Z_]+\}", conf), "a placeholder was left unrendered"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NGINX_RATE_LIMIT", "30r/s; evil"),
        ("NGINX_UPSTREAM", "app:8080; include /etc/passwd"),
        ("NGINX_CORS_ALLOW_ORIGIN", '*"; add_header X 1'),
        ("NGINX_MICROCACHE_SECONDS", "10\n}"),
    ],
)
def test_an_invalid_setting_is_refused_with_its_name(
    nginx_tools: NginxRequirements, prefix: Path, name: str, value: str
) -> None:
    result = run_entrypoint(prefix, "render", {name: value})

    assert result.returncode != 0
    assert f"{name}=" in result.stderr
    assert not (prefix / "nginx.conf").exists()


@pytest.mark.parametrize("hold", [1, 9, 10, 60, 105, 3600])
def test_a_max_age_shorter_than_the_hold_is_never_stored(
    nginx_tools: NginxRequirements, prefix: Path, hold: int
) -> None:
    result = run_entrypoint(prefix, "render", {"NGINX_MICROCACHE_SECONDS": str(hold)})

    assert result.returncode == 0, result.stderr
    conf = (prefix / "nginx.conf").read_text()
    found = re.search(r'\(max-age\|s-maxage\)=\((.*)\)\(\$\|\[\^0-9\]\)" 1;', conf)
    assert found, "the short max-age pattern is missing"
    below = re.compile(found.group(1))
    for number in range(2 * hold + 10):
        assert bool(below.fullmatch(str(number))) == (number < hold), number


# --- micro-cache ----------------------------------------------------------------------------


def test_a_repeated_request_is_answered_by_nginx_without_reaching_the_app(
    stack: Stack, client_address: str
) -> None:
    with stack.nginx.client(client_address) as client:
        first = client.get("/heroes/ana")
        assert first.status_code == 200
        assert first.headers["x-proxy-cache"] == "MISS"
        assert wait_for_hits(stack, "/heroes/ana", 1) == 1
        upstream_calls = stack.upstream.app.calls["/en-us/heroes/ana/"]

        again = client.get("/heroes/ana")
        encoded = client.get("/heroes/an%61")  # the same resource: one cache entry

    for answer in (again, encoded):
        assert answer.status_code == 200
        assert answer.headers["x-proxy-cache"] == "HIT"
        assert answer.content == first.content
        assert answer.headers["etag"] == first.headers["etag"]
        # Had the app answered, its own cache would say "hit": this is the stored answer.
        assert answer.headers["x-cache-status"] == first.headers["x-cache-status"] != "hit"
    assert wait_for_hits(stack, "/heroes/ana", 1) == 1
    assert stack.upstream.app.calls["/en-us/heroes/ana/"] == upstream_calls == 1


@pytest.mark.parametrize(
    ("status", "cache_control", "stored"),
    [
        (200, "public, max-age=600", True),
        (404, "public, max-age=600", True),
        (200, "public, max-age=86400, stale-while-revalidate=86400", True),
        (200, "public, max-age=5", False),  # shorter than the hold (60 s in these tests)
        (200, "private, max-age=600", False),
        (404, "private, max-age=600", False),
        (200, "no-store", False),
        (200, "public, no-cache, max-age=600", False),
        (500, "public, max-age=600", False),
        (503, "public, max-age=600", False),
        (504, "public, max-age=600", False),
        (429, "public, max-age=600", False),
        (301, "public, max-age=600", False),
    ],
)
def test_nginx_stores_only_what_the_app_allows(
    policy_stack: PolicyStack, client_address: str, status: int, cache_control: str, stored: bool
) -> None:
    params = {"status": str(status), "cache_control": cache_control}
    with policy_stack.nginx.client(client_address) as client:
        answers = [client.get("/policy", params=params) for _ in range(2)]

    assert [answer.status_code for answer in answers] == [status, status]
    assert answers[1].headers["x-proxy-cache"] == ("HIT" if stored else "MISS")
    path = str(answers[0].request.url.raw_path, "ascii")
    assert policy_stack.upstream.hits[path] == (1 if stored else 2)


def test_conditional_requests_are_answered_from_the_cache(
    stack: Stack, client_address: str
) -> None:
    with stack.nginx.client(client_address) as client:
        first = client.get("/heroes/ashe")
        second = client.get("/heroes/ashe", headers={"If-None-Match": first.headers["etag"]})

    assert second.status_code == 304
    assert second.headers["x-proxy-cache"] == "HIT"
    assert wait_for_hits(stack, "/heroes/ashe", 1) == 1


def test_errors_are_never_cached(stack: Stack, client_address: str) -> None:
    stack.upstream.app.status_override = 500
    try:
        with stack.nginx.client(client_address) as client:
            answers = [client.get("/heroes/baptiste") for _ in range(2)]
    finally:
        stack.upstream.app.reset()

    for answer in answers:
        assert answer.status_code >= 500
        assert answer.headers["x-proxy-cache"] == "MISS"
        assert answer.headers[CORS_ORIGIN] == "*"
    assert wait_for_hits(stack, "/heroes/baptiste", 2) == 2


def test_answers_the_app_marks_no_store_are_not_cached(stack: Stack, client_address: str) -> None:
    with stack.nginx.client(client_address) as client:
        answers = [client.get("/no-such-route") for _ in range(2)]

    for answer in answers:
        assert answer.status_code == 404
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-proxy-cache"] == "MISS"
    assert wait_for_hits(stack, "/no-such-route", 2) == 2


def test_json_is_compressed_for_clients_that_ask(stack: Stack, client_address: str) -> None:
    with stack.nginx.client(client_address) as client:
        answer = client.get("/heroes", headers={"Accept-Encoding": "gzip"})

    assert answer.status_code == 200
    assert answer.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in answer.headers["vary"]
    assert isinstance(answer.json(), list)  # httpx decompressed it


# --- limits ---------------------------------------------------------------------------------


def test_a_burst_beyond_the_limit_gets_a_json_429_with_retry_after(
    stack: Stack, client_address: str
) -> None:
    with stack.nginx.client(client_address) as client:
        answers = [client.get("/roles") for _ in range(BURST + 20)]

    statuses = [answer.status_code for answer in answers]
    assert statuses[: BURST + 1] == [200] * (BURST + 1)
    assert 429 in statuses
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["content-type"] == "application/json"
    assert refused.headers[CORS_ORIGIN] == "*"
    assert refused.json() == {
        "error": "API rate limit reached, please wait for 1 second before retrying"
    }


def test_a_client_cannot_pick_its_bucket_with_x_forwarded_for(
    stack: Stack, client_address: str
) -> None:
    with stack.nginx.client(client_address) as client:
        statuses = [
            client.get("/roles", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
            for i in range(BURST + 20)
        ]

    assert 429 in statuses, "each forged X-Forwarded-For got a fresh bucket"


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(
    stack: Stack,
) -> None:
    with stack.nginx.client(TRUSTED_PROXY) as proxy:
        first = [
            proxy.get("/roles", headers={"X-Forwarded-For": "198.51.100.1"}).status_code
            for _ in range(BURST + 20)
        ]
        other = proxy.get("/roles", headers={"X-Forwarded-For": "198.51.100.2"})

    assert 429 in first
    assert other.status_code == 200


async def test_a_client_holding_too_many_connections_gets_429(
    stack: Stack, client_address: str
) -> None:
    allowed = int(TEST_SETTINGS["NGINX_MAX_CONNECTIONS_PER_IP"])
    stack.upstream.app.delay = 1.0  # a slow cold page keeps every connection busy
    transport = httpx.AsyncHTTPTransport(local_address=client_address)
    try:
        async with httpx.AsyncClient(
            base_url=stack.nginx.url, transport=transport, timeout=30
        ) as client:
            answers = await asyncio.gather(
                *(client.get("/heroes/cassidy") for _ in range(allowed + 2))
            )
    finally:
        stack.upstream.app.reset()

    statuses = sorted(answer.status_code for answer in answers)
    # Within the request burst: these 429s come from the connection limit alone.
    assert allowed + 2 <= BURST + 1
    assert statuses == [200] * allowed + [429] * 2


# --- CORS and nginx's own answers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [("/maps", 200), ("/heroes/not-a-hero", 404), ("/no-such-page", 404), ("/metrics", 404)],
)
def test_cors_headers_are_on_every_answer(
    stack: Stack, client_address: str, path: str, status: int
) -> None:
    with stack.nginx.client(client_address) as client:
        answer = client.get(path)

    assert answer.status_code == status
    assert answer.headers[CORS_ORIGIN] == "*"
    assert "GET" in answer.headers["access-control-allow-methods"]
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert isinstance(body, list) if status == 200 else "error" in body


def test_preflight_requests_are_answered_by_nginx(stack: Stack, client_address: str) -> None:
    with stack.nginx.client(client_address) as client:
        answer = client.options("/heroes/doomfist", headers={"Origin": "https://example.org"})

    assert answer.status_code == 204
    assert answer.headers[CORS_ORIGIN] == "*"
    assert answer.headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS"
    assert answer.headers["access-control-max-age"] == "86400"
    assert wait_for_hits(stack, "/heroes/doomfist", 0) == 0


def test_metrics_are_not_public(stack: Stack, client_address: str) -> None:
    with stack.nginx.client(client_address) as client:
        answer = client.get("/metrics")

    assert answer.status_code == 404
    assert answer.json() == {"error": "Not Found"}
    assert wait_for_hits(stack, "/metrics", 0) == 0


def test_a_trailing_slash_redirect_keeps_the_query_string(
    stack: Stack, client_address: str
) -> None:
    with stack.nginx.client(client_address) as client:
        answer = client.get("/heroes/?role=tank")

    assert answer.status_code == 301
    # Relative: right whatever scheme and host the client used (TLS terminator included).
    assert answer.headers["location"] == "/heroes?role=tank"


@pytest.mark.parametrize(
    "target", ["/heroes/../maps", "/heroes/%2e%2e/maps", "/heroes%2F..%2Fmaps", "/./maps"]
)
def test_paths_nginx_and_the_app_would_read_differently_are_refused(
    stack: Stack, target: str
) -> None:
    status, body = raw_get(stack.nginx.url, target)

    assert status == 400
    assert json.loads(body) == {"error": "Bad request"}


# --- outage ---------------------------------------------------------------------------------


# Past a 1 s hold: nginx counts whole seconds and expires an entry once the clock is beyond
# its validity, so up to 2 s after it was stored.
PAST_ONE_SECOND_HOLD = 2.1


def test_expired_entries_are_served_while_revalidated_then_while_the_app_is_down(
    nginx_tools: NginxRequirements, fake_upstream: FakeUpstreamServer, tmp_path: Path
) -> None:
    settings = {"NGINX_MICROCACHE_SECONDS": "1"}
    with running_stack(fake_upstream, tmp_path, settings) as stack, stack.nginx.client() as client:
        cached = client.get("/heroes/brigitte")
        assert cached.headers["x-proxy-cache"] == "MISS"

        # Expired, app up: the stale copy is answered at once while one background request
        # revalidates it with its ETag, which the app confirms with a 304.
        time.sleep(PAST_ONE_SECOND_HOLD)
        while_revalidating = client.get("/heroes/brigitte")
        assert wait_for_304(stack, "/heroes/brigitte")
        revalidated = client.get("/heroes/brigitte")

        stack.app.stop()
        fresh = client.get("/heroes/brigitte")
        time.sleep(PAST_ONE_SECOND_HOLD)
        stale = client.get("/heroes/brigitte")
        never_cached = client.get("/heroes/bastion")

    assert while_revalidating.headers["x-proxy-cache"] in {"STALE", "UPDATING"}
    assert revalidated.headers["x-proxy-cache"] == "HIT"
    assert fresh.status_code == 200
    assert fresh.headers["x-proxy-cache"] == "HIT"
    assert stale.status_code == 200
    assert stale.headers["x-proxy-cache"] in {"STALE", "UPDATING"}
    assert stale.content == fresh.content == revalidated.content == cached.content
    assert never_cached.status_code == 502
    assert never_cached.json() == {"error": "owdata is unavailable, please retry later"}
    assert never_cached.headers[CORS_ORIGIN] == "*"


def test_the_client_address_reaches_the_app_from_nginx_only(
    stack: Stack, client_address: str
) -> None:
    with stack.nginx.client(client_address) as client:
        client.get("/gamemodes", headers={"X-Forwarded-For": "203.0.113.7"})

    wait_for_hits(stack, "/gamemodes", 1)
    line = next(row for row in stack.app.log.read_text().splitlines() if "/gamemodes" in row)
    # uvicorn trusts X-Forwarded-For from loopback: it logs what nginx sent, which is the
    # connection's address, never the header the client forged.
    assert client_address in line
    assert "203.0.113.7" not in line


def test_the_cache_status_header_is_exposed_to_browsers(stack: Stack, client_address: str) -> None:
    with stack.nginx.client(client_address) as client:
        answer = client.get("/heroes?role=support")

    exposed = {
        name.strip().lower() for name in answer.headers["access-control-expose-headers"].split(",")
    }
    assert {"x-cache-status", "x-proxy-cache", "retry-after", "etag", "age"} <= exposed


# --- the error contract: what may be cached -------------------------------------------------


def raw_exchange(base_url: str, request: bytes) -> tuple[int, list[str], str, bytes]:
    """Send `request` bytes as they are; (status, Cache-Control values, type, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", urlsplit(base_url).port, timeout=10)
    connection.connect()
    assert connection.sock is not None
    connection.sock.sendall(request)
    response = http.client.HTTPResponse(connection.sock, method="GET")
    response.begin()
    try:
        cache_control = response.headers.get_all("Cache-Control") or []
        return (
            response.status,
            cache_control,
            response.getheader("Content-Type", ""),
            response.read(),
        )
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /heroes/../maps HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 20_000 + b"\r\n\r\n", 400),
        (b"GET /heroes/?" + b"x" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 404),
    ],
    ids=["dot-segments", "malformed", "header-too-large", "request-line-too-long", "metrics"],
)
def test_nginx_own_errors_are_json_and_no_store(
    stack: Stack, request_bytes: bytes, status: int
) -> None:
    answered, cache_control, content_type, body = raw_exchange(stack.nginx.url, request_bytes)

    assert answered == status
    assert cache_control == ["no-store"]
    assert content_type == "application/json"
    assert "error" in json.loads(body)


def test_a_429_is_no_store(stack: Stack, client_address: str) -> None:
    with stack.nginx.client(client_address) as client:
        answers = [client.get("/gamemodes") for _ in range(BURST + 20)]

    refused = next(answer for answer in answers if answer.status_code == 429)
    assert refused.headers.get_list("cache-control") == ["no-store"]


def test_nginx_keeps_the_app_cache_control_on_errors_and_cached_404s(
    stack: Stack, client_address: str
) -> None:
    with stack.nginx.client(client_address) as client:
        invalid = client.get("/heroes", params={"role": "nobody"})
        hero = [client.get("/heroes/not-a-hero-at-all") for _ in range(2)]
        player = client.get("/players/Unknown-1234/summary")

    assert invalid.status_code == 422
    assert invalid.headers.get_list("cache-control") == ["no-store"]
    assert [answer.status_code for answer in hero] == [404, 404]
    assert hero[1].headers["x-proxy-cache"] == "HIT"
    for answer in hero:  # an unknown hero is data: cacheable, by nginx too
        assert answer.headers.get_list("cache-control") == ["public, max-age=3600"]
    assert player.status_code == 404
    assert player.headers.get_list("cache-control")[0].startswith("private, max-age=")
    assert len(player.headers.get_list("cache-control")) == 1
