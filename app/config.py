"""Settings: every knob owdata reads, from the environment and an optional `.env` file.

Each field is mirrored in `.env.dist` with its default and meaning. Only the composition
root (`app.main.create_app` and the CLI) reads settings; everything else is handed values.

Example:
    >>> Settings(blizzard_host="http://127.0.0.1:8081").blizzard_host
    'http://127.0.0.1:8081'
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AnyHttpUrl,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BASE_URL = "http://localhost:8080"
PositiveSeconds = Annotated[int, Field(ge=1, le=31_536_000)]
NonNegativeSeconds = Annotated[int, Field(ge=0, le=31_536_000)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    # --- public identity -------------------------------------------------------------
    app_base_url: str = ""
    """Public base URL of this instance: prefix of `career_url` and static image URLs.
    Unset or empty: `owdata serve` uses the address it listens on (`DEFAULT_BASE_URL`
    elsewhere); `app_base_url_is_set` says which."""
    _app_base_url_given: bool = PrivateAttr(default=True)

    log_level: str = "info"
    log_format: Literal["text", "json"] = "text"
    """`text` (one line per record) or `json` (one object per line, for log shippers)."""
    access_log: bool = False
    """One line per request (with duration, cache status, client). Off: nginx and metrics
    count requests."""
    forwarded_allow_ips: str = "127.0.0.1"
    """Peers whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed (comma-separated
    addresses or CIDR ranges, `*` for any): the client address the access log shows."""

    # --- upstream ----------------------------------------------------------------------
    blizzard_host: str = "https://overwatch.blizzard.com"
    upstream_timeout: Annotated[float, Field(gt=0, le=120)] = 10.0
    upstream_connect_timeout: Annotated[float, Field(gt=0, le=60)] = 5.0
    upstream_max_connections: Annotated[int, Field(ge=1, le=100)] = 10
    upstream_user_agent: str = "owdata (+https://github.com/owdata/owdata)"

    # --- storage and cache -------------------------------------------------------------
    storage_path: Path = Path("data/owdata.db")
    """SQLite file used when `DATABASE_URL` is unset."""
    database_url: str | None = None
    """Unset: SQLite at `STORAGE_PATH`. `postgresql://user:password@host:5432/db`: PostgreSQL,
    shared by every API host and worker (see README "Outgrowing one machine")."""
    database_pool_min_size: Annotated[int, Field(ge=0, le=1000)] = 1
    """PostgreSQL connections each process keeps open even when idle."""
    database_pool_max_size: Annotated[int, Field(ge=1, le=1000)] = 10
    """Most PostgreSQL connections one process opens (API worker process or `owdata worker`)."""
    database_connect_timeout: Annotated[float, Field(gt=0, le=300)] = 5.0
    database_command_timeout: Annotated[float, Field(gt=0, le=3600)] = 30.0
    """Longest a PostgreSQL statement may run before it is cancelled (an error, retried)."""
    valkey_url: str | None = None
    """Unset: an in-process cache. Set (e.g. `valkey://127.0.0.1:6379/0`): shared Valkey."""
    valkey_breaker_threshold: Annotated[int, Field(ge=1, le=1000)] = 3
    """Consecutive Valkey failures (timeouts included) after which the cache, throttle and
    lock skip Valkey (one circuit breaker per process, shared by the three)."""
    valkey_breaker_cooldown: Annotated[float, Field(gt=0, le=3600)] = 5.0
    """Seconds Valkey is skipped once a breaker opened; then one call probes it."""
    valkey_near_cache_max_bytes: Annotated[int, Field(ge=0)] = 32 * 1024 * 1024
    """With Valkey: bytes of in-process copies of cached values, kept current by Valkey's
    invalidation messages so a hit needs no round trip (0: every hit asks Valkey)."""
    valkey_near_cache_staleness: Annotated[float, Field(ge=0.05, le=60)] = 1.0
    """Seconds after which a value replaced or deleted in Valkey is surely no longer served
    from another process's copy (invalidations normally arrive within a millisecond)."""
    memory_cache_max_bytes: Annotated[int, Field(ge=1_048_576)] = 64 * 1024 * 1024
    """Memory the in-process response cache (used without Valkey) may hold: answers, keys
    and per-entry overhead."""
    prepared_hits_max_bytes: Annotated[int, Field(ge=0)] = 16 * 1024 * 1024
    """Memory of the response cache's prepared hits (recent answers decoded, ready to
    send), in bytes (0: none, every hit is decoded)."""
    profile_cache_max_bytes: Annotated[int, Field(ge=0)] = 32 * 1024 * 1024
    """Decoded player profiles kept by the storage adapter, in bytes (0: none)."""
    player_views_max_bytes: Annotated[int, Field(ge=0)] = 16 * 1024 * 1024
    """Stats views of stored careers kept with their rendered JSON, in bytes (0: none)."""
    stale_answer_cache_timeout: Annotated[int, Field(ge=0, le=3600)] = 5
    """Seconds a stale answer (served while its refresh runs) is reused; 0 = render each."""

    # --- static routes: response TTLs and storage staleness (OverFast names) -----------
    heroes_path_cache_timeout: PositiveSeconds = 86400
    hero_path_cache_timeout: PositiveSeconds = 86400
    csv_cache_timeout: PositiveSeconds = 86400
    heroes_staleness_threshold: PositiveSeconds = 86400
    roles_staleness_threshold: PositiveSeconds = 86400
    maps_staleness_threshold: PositiveSeconds = 86400
    gamemodes_staleness_threshold: PositiveSeconds = 86400
    hero_not_found_cache_timeout: PositiveSeconds = 3600
    """How long a "hero not released yet" answer is kept before asking upstream again."""

    static_base_url: str = ""
    """Where map and game mode images are linked from; empty = `{APP_BASE_URL}/static`."""
    static_dir: Path = Path("static")
    """Served at `/static` when the folder exists (owdata ships no images: see README)."""

    # --- players and hero statistics ------------------------------------------------------
    career_path_cache_timeout: PositiveSeconds = 600
    """Lifetime of player route answers."""
    search_account_path_cache_timeout: PositiveSeconds = 600
    """Lifetime of `/players` search answers."""
    hero_stats_cache_timeout: PositiveSeconds = 3600
    """Lifetime of `/heroes/stats` answers."""
    player_staleness_threshold: PositiveSeconds = 3600
    """Age under which a stored profile answers without asking Blizzard."""
    player_profile_max_age: NonNegativeSeconds = 604800
    """Profiles not refreshed for this long are deleted by the cleanup job (0 = never)."""
    unknown_player_initial_retry: PositiveSeconds = 600
    unknown_player_retry_multiplier: Annotated[int, Field(ge=1, le=100)] = 3
    unknown_player_max_retry: PositiveSeconds = 21600
    unknown_player_retention: NonNegativeSeconds = 86400
    """Unknown-player rows are deleted by the cleanup job this long after their next check
    was due (nobody asked since); 0 keeps them forever."""
    search_max_limit: Annotated[int, Field(ge=1, le=1000)] = 100
    """Largest `limit` accepted by `/players` (OverFast has none)."""
    maintenance_interval: PositiveSeconds = 3600
    """Seconds between runs of the cleanup job (old profiles, unknown players, finished jobs)."""

    # --- upstream protection (see README "Upstream protection") -------------------------
    throttle_enabled: bool = True
    """Space upstream calls. Off: no spacing, but a 403 still opens the penalty window."""
    throttle_start_delay: Annotated[float, Field(ge=0, le=3600)] = 2.0
    throttle_min_delay: Annotated[float, Field(ge=0, le=3600)] = 0.1
    throttle_max_delay: Annotated[float, Field(gt=0, le=3600)] = 30.0
    throttle_slow_start_n_successes: Annotated[int, Field(ge=1, le=10_000)] = 10
    throttle_aimd_n_successes: Annotated[int, Field(ge=1, le=10_000)] = 20
    throttle_aimd_delta: Annotated[float, Field(ge=0, le=3600)] = 0.05
    throttle_penalty_delay: Annotated[float, Field(ge=0, le=3600)] = 10.0
    throttle_penalty_duration: Annotated[float, Field(gt=0, le=86_400)] = 60.0
    throttle_max_wait: Annotated[float, Field(gt=0, le=3600)] = 30.0
    """A call whose turn is further away than this is refused (503) instead of queued."""

    # --- refresh jobs (stale-while-revalidate) ---------------------------------------------
    jobs_in_process: bool = True
    """Run refresh jobs inside the API process. Off when a separate `owdata worker` runs them."""
    worker_max_concurrent_jobs: Annotated[int, Field(ge=1, le=64)] = 4
    worker_job_timeout: PositiveSeconds = 300
    """Longest run of one job before it is cancelled and retried."""
    worker_lease_seconds: PositiveSeconds = 60
    """How soon a job whose worker died is picked up again."""
    worker_poll_interval: Annotated[float, Field(gt=0, le=60)] = 1.0
    worker_max_attempts: Annotated[int, Field(ge=1, le=100)] = 5
    worker_retry_base: Annotated[float, Field(gt=0, le=86_400)] = 30.0
    worker_retry_cap: Annotated[float, Field(gt=0, le=86_400)] = 3600.0
    worker_shutdown_grace: Annotated[float, Field(ge=0, le=600)] = 10.0
    jobs_done_retention: PositiveSeconds = 86400
    """Finished jobs are kept this long (for inspection), then purged by the cleanup job."""
    jobs_dead_retention: NonNegativeSeconds = 604800
    """Dead jobs (failed `WORKER_MAX_ATTEMPTS` times) are kept this long after their last
    failure, then purged by the cleanup job; 0 keeps them forever."""

    # --- metrics ------------------------------------------------------------------------
    metrics_enabled: bool = True
    """Serve Prometheus metrics at `GET /metrics` (and on the worker's metrics port)."""
    worker_metrics_host: str = "127.0.0.1"
    worker_metrics_port: Annotated[int, Field(ge=0, le=65_535)] = 9000
    """Where `owdata worker` serves its metrics (`/metrics`); 0 picks a free port (logged).
    Two workers on one host need two ports: the second one stops with a clear error."""

    # --- HTTP ---------------------------------------------------------------------------
    max_query_string_length: Annotated[int, Field(ge=64, le=65_536)] = 1024

    @field_validator("blizzard_host", "app_base_url", "static_base_url")
    @classmethod
    def _http_url_without_trailing_slash(cls, value: str) -> str:
        if not value:
            return value
        AnyHttpUrl(value)  # raises a ValueError naming the problem
        return value.rstrip("/")

    @property
    def app_base_url_is_set(self) -> bool:
        """False when `APP_BASE_URL` was left unset (or empty) and has its default."""
        return self._app_base_url_given

    @model_validator(mode="after")
    def _default_base_urls(self) -> Settings:
        if not self.app_base_url:
            object.__setattr__(self, "app_base_url", DEFAULT_BASE_URL)
            self._app_base_url_given = False
        if not self.static_base_url:
            object.__setattr__(self, "static_base_url", f"{self.app_base_url}/static")
        return self

    @model_validator(mode="after")
    def _throttle_bounds(self) -> Settings:
        if self.throttle_min_delay > self.throttle_max_delay:
            raise ValueError("THROTTLE_MIN_DELAY must not exceed THROTTLE_MAX_DELAY")
        return self

    @field_validator("valkey_url")
    @classmethod
    def _valkey_scheme(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("valkey://", "valkeys://", "redis://", "rediss://", "unix://")):
            raise ValueError(
                "must start with valkey://, valkeys://, redis://, rediss:// or unix://"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"postgresql", "postgres"}:
            raise ValueError("must start with postgresql:// (or postgres://)")
        try:
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError as exc:
            raise ValueError(f"invalid port: {exc}") from None
        if not parts.hostname and "host=" not in parts.query:
            raise ValueError("names no host (postgresql://user:password@host:5432/db)")
        return value

    @model_validator(mode="after")
    def _pool_bounds(self) -> Settings:
        if self.database_pool_min_size > self.database_pool_max_size:
            raise ValueError("DATABASE_POOL_MIN_SIZE must not exceed DATABASE_POOL_MAX_SIZE")
        return self

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.lower()
        if level not in {"critical", "error", "warning", "info", "debug"}:
            raise ValueError("must be one of critical, error, warning, info, debug")
        return level


class SettingsError(Exception):
    """Raised when the environment holds an invalid setting; the message names each one."""


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, turning validation errors into one clear message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in err['loc']).upper() or 'SETTINGS'}: {err['msg']}"
            for err in exc.errors()
        ]
        raise SettingsError("invalid settings:\n  " + "\n  ".join(problems)) from None
