"""Calls every `Metrics` hook once, so each labelled metric has a sample to look at."""

from __future__ import annotations

from app.metrics import Metrics, ThrottleState
from app.ports import StorageStats


def exercise_every_hook(metrics: Metrics) -> None:
    metrics.upstream_call("heroes", "200", 0.2)
    metrics.storage_operation("static_data", "get", 0.001, True)
    metrics.storage_operation("static_data", "put", 0.002, False)
    metrics.cache_lookup("storage", "stale_hit")
    metrics.response_cache_counts("memory").hit += 1
    metrics.cache_error("get")
    metrics.parse_error("hero")
    metrics.parse_error("career", "unreadable_value")
    metrics.career_parsed("text")
    metrics.single_flight_wait("career")
    metrics.throttle_403()
    metrics.refused_by_penalty()
    metrics.throttle_wait(0.5)
    metrics.job_enqueued("player")
    metrics.job_finished("player", "done", 1.5)
    metrics.unknown_player_refused()
    metrics.storage_decode_error("player_profiles")
    metrics.valkey_circuit(True)
    request = metrics.http.recorder("/heroes", "GET")
    request.start()
    request.finish(200, 0.001)
    metrics.refresh_gauges(
        storage=StorageStats(4096, {"static_data": 3, "player_profiles": 2, "unknown_players": 1}),
        queue_depth={"queued": 1},
        memory_cache=(10, 2048),
        throttle=ThrottleState(delay=2.0, penalty_remaining=0.0),
    )
