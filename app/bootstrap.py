"""Wiring: adapters built from settings, services built from adapters.

Used by the app's lifespan (`app.main`) and by `owdata worker`; storage is chosen and
opened by `app.bootstrap_storage`. Nothing outside the composition root builds adapters
or reads settings.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from app.adapters.cache.memory import MemoryCache
from app.adapters.cache.near import NearCopies
from app.adapters.cache.valkey import ValkeyCache
from app.adapters.circuit_breaker import CircuitBreaker
from app.adapters.locks.valkey import ValkeyFlightLock
from app.adapters.throttle import ThrottledUpstream
from app.adapters.throttle.memory import MemoryThrottleStore
from app.adapters.throttle.valkey import ValkeyThrottleStore
from app.adapters.upstream.http import HttpUpstream
from app.api.deps import CachePolicy, Container
from app.bootstrap_storage import open_storage
from app.config import Settings
from app.data import reference as curated
from app.domain.errors import ParseProblem
from app.metrics import GaugeSources, Metrics
from app.ports import Cache, Clock, FlightLock, OutboxStorage, Upstream
from app.services.hero_stats import HeroStatsService
from app.services.heroes import BLIZZARD_PUBLIC_URL, HeroesConfig, HeroesService
from app.services.hooks import ServiceHooks, StorageResult
from app.services.jobs import JobPolicy, JobRunner
from app.services.maintenance import Retention
from app.services.players.profiles import PlayerProfiles
from app.services.players.search import PlayerSearch
from app.services.players.service import PlayersService
from app.services.players.unknown import BackoffPolicy, UnknownPlayers
from app.services.reference import ReferenceService
from app.services.refresh import RefreshHandlers
from app.services.static_pages import StaticPages
from app.services.throttle import Throttle, ThrottleConfig, ThrottleStore


def valkey_circuit(settings: Settings, metrics: Metrics | None = None) -> CircuitBreaker:
    """The process's one breaker in front of Valkey, shared by the cache, the throttle and
    the lock: they talk to the same server, so what one finds frozen the others skip."""
    return CircuitBreaker(
        "valkey",
        threshold=settings.valkey_breaker_threshold,
        cooldown=settings.valkey_breaker_cooldown,
        on_change=metrics.valkey_circuit if metrics else None,
    )


def build_cache(settings: Settings, metrics: Metrics | None = None) -> Cache:
    if settings.valkey_url:
        return ValkeyCache.from_url(
            settings.valkey_url,
            on_error=metrics.cache_error if metrics else None,
            circuit=valkey_circuit(settings, metrics),
            near_max_bytes=settings.valkey_near_cache_max_bytes,
            near_staleness=settings.valkey_near_cache_staleness,
        )
    return MemoryCache(max_bytes=settings.memory_cache_max_bytes)


def throttle_config(settings: Settings) -> ThrottleConfig:
    return ThrottleConfig(
        enabled=settings.throttle_enabled,
        start_delay=settings.throttle_start_delay,
        min_delay=settings.throttle_min_delay,
        max_delay=settings.throttle_max_delay,
        slow_start_n_successes=settings.throttle_slow_start_n_successes,
        aimd_n_successes=settings.throttle_aimd_n_successes,
        aimd_delta=settings.throttle_aimd_delta,
        penalty_delay=settings.throttle_penalty_delay,
        penalty_duration=settings.throttle_penalty_duration,
        max_wait=settings.throttle_max_wait,
    )


def build_throttle(
    settings: Settings, metrics: Metrics | None = None, circuit: CircuitBreaker | None = None
) -> Throttle:
    config = throttle_config(settings)
    store: ThrottleStore = (
        ValkeyThrottleStore.from_url(
            settings.valkey_url,
            config,
            on_error=metrics.cache_error if metrics else None,
            circuit=circuit or valkey_circuit(settings, metrics),
        )
        if settings.valkey_url
        else MemoryThrottleStore(config)
    )
    return Throttle(store, config, observer=metrics.throttle_observer if metrics else None)


@dataclass(frozen=True, slots=True)
class Adapters:
    storage: OutboxStorage
    upstream: Upstream
    cache: Cache
    flight_lock: FlightLock | None
    throttle: Throttle


@asynccontextmanager
async def open_adapters(
    settings: Settings, cache: Cache, metrics: Metrics | None = None
) -> AsyncIterator[Adapters]:
    """Open storage and the upstream client; close them (and `cache`) on exit."""
    storage = await open_storage(settings, metrics)
    http = HttpUpstream.create(
        observe=metrics.upstream_call if metrics else None,
        base_url=settings.blizzard_host,
        timeout=settings.upstream_timeout,
        connect_timeout=settings.upstream_connect_timeout,
        max_connections=settings.upstream_max_connections,
        user_agent=settings.upstream_user_agent,
        penalty_seconds=math.ceil(settings.throttle_penalty_duration),
    )
    # The cache's breaker when it is on Valkey, so one frozen server is detected once.
    circuit = cache.circuit if isinstance(cache, ValkeyCache) else None
    if settings.valkey_url and circuit is None:
        circuit = valkey_circuit(settings, metrics)
    throttle = build_throttle(settings, metrics, circuit)
    upstream = ThrottledUpstream(http, throttle)
    lock = (
        ValkeyFlightLock.from_url(
            settings.valkey_url,
            wait=settings.upstream_timeout * 3,
            circuit=circuit,
        )
        if settings.valkey_url
        else None
    )
    try:
        yield Adapters(storage, upstream, cache, lock, throttle)
    finally:
        await upstream.close()  # the HTTP client and the throttle's store
        if lock is not None:
            await lock.close()
        await storage.close()
        await cache.close()


def retention(settings: Settings) -> Retention:
    """What the cleanup job (`Maintenance`) keeps, and for how long."""
    return Retention(
        profiles=settings.player_profile_max_age,
        done_jobs=settings.jobs_done_retention,
        unknown_players=settings.unknown_player_retention,
        dead_jobs=settings.jobs_dead_retention,
    )


def cache_policy(settings: Settings) -> CachePolicy:
    return CachePolicy(
        heroes=settings.heroes_path_cache_timeout,
        hero=settings.hero_path_cache_timeout,
        csv=settings.csv_cache_timeout,
        hero_not_found=settings.hero_not_found_cache_timeout,
        career=settings.career_path_cache_timeout,
        player_staleness=settings.player_staleness_threshold,
        search=settings.search_account_path_cache_timeout,
        hero_stats=settings.hero_stats_cache_timeout,
        search_max_limit=settings.search_max_limit,
    )


@dataclass(frozen=True, slots=True)
class Services:
    """The request-facing container plus the job runner that refreshes stale data."""

    container: Container
    runner: JobRunner


def service_hooks(metrics: Metrics | None, page_type: str) -> ServiceHooks:
    if metrics is None:
        return ServiceHooks()

    def storage_lookup(result: StorageResult) -> None:
        metrics.cache_lookup("storage", result)

    def parse_problem(problem: ParseProblem) -> None:
        metrics.parse_error(problem.page_type, problem.reason)

    return ServiceHooks(
        storage_lookup=storage_lookup,
        flight_wait=lambda: metrics.single_flight_wait(page_type),
        parse_problem=parse_problem,
        job_enqueued=metrics.job_enqueued,
        career_parsed=metrics.career_parsed,
    )


def job_policy(settings: Settings) -> JobPolicy:
    return JobPolicy(
        max_attempts=settings.worker_max_attempts,
        retry_base=settings.worker_retry_base,
        retry_cap=settings.worker_retry_cap,
        timeout=settings.worker_job_timeout,
        lease_seconds=settings.worker_lease_seconds,
        concurrency=settings.worker_max_concurrent_jobs,
        poll_interval=settings.worker_poll_interval,
        shutdown_grace=settings.worker_shutdown_grace,
    )


def build_services(
    settings: Settings, adapters: Adapters, clock: Clock, metrics: Metrics | None = None
) -> Services:
    storage, upstream, lock = adapters.storage, adapters.upstream, adapters.flight_lock
    pages = StaticPages(storage, upstream, clock, lock=lock, hooks=service_hooks(metrics, "static"))
    unknown = UnknownPlayers(
        storage,
        clock,
        BackoffPolicy(
            initial=settings.unknown_player_initial_retry,
            multiplier=settings.unknown_player_retry_multiplier,
            maximum=settings.unknown_player_max_retry,
        ),
        on_refused=metrics.unknown_player_refused if metrics else None,
    )
    profiles = PlayerProfiles(
        storage,
        upstream,
        clock,
        unknown,
        staleness=settings.player_staleness_threshold,
        lock=lock,
        hooks=service_hooks(metrics, "player"),
    )
    heroes_config = HeroesConfig(
        site_url=BLIZZARD_PUBLIC_URL,
        heroes_staleness=settings.heroes_staleness_threshold,
        roles_staleness=settings.roles_staleness_threshold,
    )
    heroes = HeroesService(pages, heroes_config, curated.HEROES)
    container = Container(
        clock=clock,
        policy=cache_policy(settings),
        heroes=heroes,
        reference=ReferenceService(
            maps=curated.MAPS,
            gamemodes=curated.GAMEMODES,
            static_url=settings.static_base_url,
            clock=clock,
        ),
        hero_stats=HeroStatsService(upstream, adapters.cache, clock),
        players=PlayersService(
            profiles, curated.HERO_ROLES, views_max_bytes=settings.player_views_max_bytes
        ),
        player_search=PlayerSearch(
            storage,
            upstream,
            clock,
            app_base_url=settings.app_base_url,
            cache=adapters.cache,
            ttl=settings.search_account_path_cache_timeout,
        ),
    )
    runner = JobRunner(
        storage.jobs,
        job_policy(settings),
        clock=clock,
        on_finished=metrics.job_finished if metrics else None,
    )
    RefreshHandlers(pages, heroes, profiles).register(runner)
    return Services(container, runner)


def gauge_sources(adapters: Adapters, cache: Cache | None = None) -> GaugeSources:
    """What the metrics read at scrape time: storage, queue, throttle (and cache size)."""

    return GaugeSources(
        storage=adapters.storage.stats,
        queue_depth=adapters.storage.jobs.counts,
        throttle=adapters.throttle.status,
        memory_cache=cache if isinstance(cache, MemoryCache) else _near_copies(cache),
    )


def _near_copies(cache: Cache | None) -> NearCopies | None:
    """With Valkey, the in-process memory is its near copies (reported as the memory cache)."""
    return cache.near if isinstance(cache, ValkeyCache) else None
