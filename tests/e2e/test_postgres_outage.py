"""PostgreSQL lost while the API runs: JSON 503 for what needs storage, nothing cached
from the outage, and the same process answers again once the server is back."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from tests.e2e.conftest import running
from tests.postgres_server import PostgresProcess

pytestmark = pytest.mark.postgres


async def test_a_lost_server_is_a_json_503_then_the_app_reconnects(
    settings: Settings,
    upstream: FakeUpstreamServer,
    postgres_server: PostgresProcess,
    postgres_url: str,
) -> None:
    settings = settings.model_copy(update={"database_url": postgres_url})
    async with running(settings) as http:
        assert (await http.get("/players/TeKrop-2217/summary")).status_code == 200
        postgres_server.stop(cleanup=False)
        try:
            lost = await http.get("/players/TeKrop-2217/stats/summary")
            assert lost.status_code == 503
            assert lost.headers["content-type"].startswith("application/json")
            assert lost.headers["cache-control"] == "no-store"
            assert "retry-after" in lost.headers
            assert "Storage is temporarily unavailable" in lost.json()["error"]
            for route in ("/heroes/ana", "/roles"):
                response = await http.get(route)
                assert response.status_code == 503, route
                assert response.headers["cache-control"] == "no-store", route
        finally:
            postgres_server.start()
        upstream.app.reset()
        back = await http.get("/players/TeKrop-2217/stats/summary")
        assert back.status_code == 200
        assert dict(upstream.app.calls) == {}  # answered from the stored profile
        assert (await http.get("/roles")).status_code == 200  # nothing failed was cached
