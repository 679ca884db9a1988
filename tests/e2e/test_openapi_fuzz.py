"""The OpenAPI schema tells the truth: Schemathesis generates requests for every
operation from `/openapi.json` (valid ones and, in its negative modes, invalid ones) and
runs all of its checks on the answers of the real app, served over HTTP in front of the
fake Blizzard site.

Three statuses are told apart from failures, each documented in the schema and still
checked against its documented body:
- `not_a_server_error` accepts 502 and 504, the "Blizzard failed" answers: the fake site
  has only the pages that were captured (one locale, one set of hero-statistics
  filters), so many generated requests meet an upstream 404 or a filter it ignored, as
  Blizzard could. A 500 fails.
- `positive_data_acceptance` accepts 400, "valid parameters that cannot be combined"
  (`/heroes/stats` with a map outside the chosen game mode): which map belongs to which
  game mode is data, not something a parameter schema can say.
- `negative_data_rejection` accepts 414 as a rejection: an over-long invalid value makes
  the query string too long, which is refused before the parameter is read.

The number of examples per operation is bounded (`FUZZ_EXAMPLES`, default 40): the
whole module (every operation, then linked sequences) runs in about a minute on the
development machine.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
import uvicorn
from schemathesis.config import SchemathesisConfig

from app.config import Settings
from app.devtools.fake_upstream import FakeUpstreamServer
from app.main import create_app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", 502, 504]},
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 403, 404, 405, 406, 409, 414, 415, 422, 428, 429],
            },
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", 400, 404, "5xx"],
            },
        }
    }
)
# The schema does not depend on the upstream or storage: build it from the app itself.
SCHEMA = schemathesis.openapi.from_dict(
    create_app(Settings(_env_file=None)).openapi(), config=CONFIG
)


class AppServer:
    """The app with uvicorn on a free loopback port, lifespan included, in a thread."""

    def __init__(self, settings: Settings) -> None:
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=0, log_level="warning", loop="asyncio"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> AppServer:
        self._thread.start()
        started = threading.Event()
        for _ in range(1000):
            if self._server.started or not self._thread.is_alive():
                break
            started.wait(0.01)
        if not self._server.started:
            raise RuntimeError("the app did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@pytest.fixture(scope="module")
def api_url(
    fake_upstream_server: FakeUpstreamServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    settings = Settings(
        _env_file=None,
        blizzard_host=fake_upstream_server.url,
        storage_path=Path(tmp_path_factory.mktemp("fuzz")) / "owdata.db",
        throttle_start_delay=0.0,
        throttle_min_delay=0.0,
        upstream_timeout=5.0,
    )
    with AppServer(settings) as server:
        yield server.url


@SCHEMA.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(
    case: schemathesis.Case[Any], api_url: str, upstream: FakeUpstreamServer
) -> None:
    case.call_and_validate(base_url=api_url)


def test_sequences_of_linked_operations_answer_as_the_schema_says(
    api_url: str, upstream: FakeUpstreamServer
) -> None:
    """Schemathesis' stateful phase: search a player, then follow the links the schema
    infers (its `player_id` into the player routes), with the same checks."""

    class Workflow(SCHEMA.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"base_url": api_url}

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=EXAMPLES // 2,
            stateful_step_count=5,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
