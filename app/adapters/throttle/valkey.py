"""The Valkey `ThrottleStore`: one schedule shared by every process, degrading in-process.

Keys (under `key_prefix`, no TTL except the penalty, never wiped at start-up):
`state`, a hash with `last_slot` (server time, µs), `delay`, `ssthresh` and `streak`;
`penalty`, a string set with `PX penalty_duration` on a 403, so its TTL is the window.
Each operation is one Lua script (`EVALSHA`, reloaded after a server restart), atomic
on the server: `reserve` reads the penalty TTL, then books a slot on the server clock
(`TIME`), so processes on different hosts need no clock agreement; `record` applies the
same slow start/AIMD arithmetic as `app.services.throttle.next_state`.

While Valkey fails, a `MemoryThrottleStore` takes over (it mirrors every Valkey answer,
so it continues from the shared delay, schedule and penalty). A `CircuitBreaker` decides
when: after a few consecutive failures Valkey is skipped (no timeout paid) until a probe
after the cool-down answers. Each failure calls `on_error(operation)`; warnings are
logged at most once per `warn_interval` seconds.

Example:
    store = ValkeyThrottleStore.from_url("valkey://localhost:6379/0", config,
                                         on_error=lambda op: ERRORS.labels(op).inc())
    booking = await store.reserve(space=True)  # Reservation(delay=2.0, wait=...)
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import replace

from valkey import exceptions as valkey_errors
from valkey.asyncio import Valkey

from app.adapters.circuit_breaker import CircuitBreaker
from app.adapters.throttle.memory import MemoryThrottleStore
from app.adapters.valkey_client import FAILURES, valkey_client
from app.services.throttle import AimdState, Outcome, Reservation, ThrottleConfig

__all__ = ["ValkeyThrottleStore"]

logger = logging.getLogger(__name__)

# KEYS: state, penalty. ARGV: start delay, space (0/1), max wait (s).
# Returns {penalty ms, wait µs, busy µs, delay}; floats travel as "%.17g" strings (exact).
_RESERVE = """
local penalty = redis.call('PTTL', KEYS[2])
local delay = tonumber(redis.call('HGET', KEYS[1], 'delay') or ARGV[1])
local d = string.format('%.17g', delay)
if penalty > 0 then return {penalty, 0, 0, d} end
if ARGV[2] == '0' then return {0, 0, 0, d} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local max_wait = tonumber(ARGV[3]) * 1000000
local last = tonumber(redis.call('HGET', KEYS[1], 'last_slot') or 0)
-- Booked slots are never beyond now + max_wait, unless the server clock went back.
if last > now + max_wait then last = 0 end
local slot = math.max(now, math.floor(last + delay * 1000000))
if slot - now > max_wait then return {0, 0, slot - now - max_wait, d} end
redis.call('HSET', KEYS[1], 'last_slot', string.format('%d', slot))
return {0, slot - now, 0, d}
"""

# KEYS: state, penalty. ARGV: outcome, start, min, max, slow-start n, aimd n, aimd delta,
# penalty delay, penalty ms. Returns {delay, ssthresh, streak, penalty ms}.
_RECORD = """
local s = redis.call('HMGET', KEYS[1], 'delay', 'ssthresh', 'streak')
local delay = tonumber(s[1] or ARGV[2])
local ssthresh = tonumber(s[2] or ARGV[3])
local streak = tonumber(s[3] or 0)
local penalty = math.max(redis.call('PTTL', KEYS[2]), 0)
if ARGV[1] == 'rate_limited' then
  if penalty == 0 then
    ssthresh = tonumber(ARGV[2])
    delay = math.max(2 * delay, tonumber(ARGV[8]))
  end
  streak = 0
  penalty = tonumber(ARGV[9])
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[9])
elseif ARGV[1] == 'other' then
  streak = 0
elseif penalty == 0 then
  streak = streak + 1
  if delay > ssthresh then
    if streak >= tonumber(ARGV[5]) then delay = math.max(delay / 2, ssthresh); streak = 0 end
  elseif streak >= tonumber(ARGV[6]) then delay = delay - tonumber(ARGV[7]); streak = 0 end
end
delay = math.min(math.max(delay, tonumber(ARGV[3])), tonumber(ARGV[4]))
local d, t = string.format('%.17g', delay), string.format('%.17g', ssthresh)
redis.call('HSET', KEYS[1], 'delay', d, 'ssthresh', t, 'streak', streak)
return {d, t, streak, penalty}
"""


class ValkeyThrottleStore:
    """A `ThrottleStore` in Valkey under `key_prefix`; owns (and closes) `client`."""

    def __init__(
        self,
        client: Valkey,
        config: ThrottleConfig | None = None,
        *,
        key_prefix: str = "owdata:throttle:",
        on_error: Callable[[str], None] | None = None,
        warn_interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        circuit: CircuitBreaker | None = None,
    ) -> None:
        c = config or ThrottleConfig()
        self._client = client
        self._keys = (key_prefix + "state", key_prefix + "penalty")
        self._reserve_script = client.register_script(_RESERVE)
        self._record_script = client.register_script(_RECORD)
        self._start = c.clamp(c.start_delay)
        self._max_wait = c.max_wait
        # ARGV[2:] of the record script, in its order.
        self._aimd: tuple[float | int, ...] = (
            self._start,
            c.min_delay,
            c.max_delay,
            c.slow_start_n_successes,
            c.aimd_n_successes,
            c.aimd_delta,
            c.penalty_delay,
            max(1, round(c.penalty_duration * 1000)),
        )
        self._local = MemoryThrottleStore(c, clock=clock)
        self._on_error, self._clock = on_error, clock
        self._warn_interval = warn_interval
        self.circuit = circuit or CircuitBreaker("throttle", clock=clock)
        """Skips Valkey while it keeps failing (see `app.adapters.circuit_breaker`)."""
        self._next_warning = -math.inf
        self._failing = self._closed = False

    @classmethod
    def from_url(
        cls,
        url: str,
        config: ThrottleConfig | None = None,
        *,
        key_prefix: str = "owdata:throttle:",
        on_error: Callable[[str], None] | None = None,
        socket_timeout: float = 0.5,
        circuit: CircuitBreaker | None = None,
    ) -> ValkeyThrottleStore:
        """Connect lazily; `socket_timeout` bounds what a hung Valkey adds to a call."""
        client = valkey_client(url, socket_timeout=socket_timeout)
        return cls(client, config, key_prefix=key_prefix, on_error=on_error, circuit=circuit)

    async def reserve(self, *, space: bool) -> Reservation:
        # A penalty this process knows of (maybe seen while Valkey was down) holds too.
        if self._local.penalty_now() <= 0 and self._shared():
            args = (self._start, int(space), self._max_wait)
            try:
                booking = _reservation(await self._reserve_script(self._keys, args))
            except FAILURES as error:
                self._failed("reserve", error)
            else:
                self._recovered()
                admitted = space and booking.penalty == booking.busy == 0
                self._local.mirror(
                    replace(self._local.state, delay=booking.delay),
                    penalty=booking.penalty,
                    wait=booking.wait if admitted else None,
                )
                return booking
        return self._local.reserve_now(space=space)

    async def penalty_remaining(self) -> float:
        local = self._local.penalty_now()
        if local > 0 or not self._shared():
            return local
        try:
            ttl_ms: object = await self._client.pttl(self._keys[1])
        except FAILURES as error:
            self._failed("penalty", error)
            return local
        self._recovered()
        penalty = ttl_ms / 1e3 if isinstance(ttl_ms, int) and ttl_ms > 0 else 0.0
        self._local.mirror(self._local.state, penalty=penalty)
        return penalty

    async def record(self, outcome: Outcome) -> tuple[float, float]:
        if self._shared():
            try:
                state, penalty = _recorded(
                    await self._record_script(self._keys, (outcome, *self._aimd))
                )
            except FAILURES as error:
                self._failed("record", error)
            else:
                self._recovered()
                self._local.mirror(state, penalty=penalty)
                return state.delay, penalty
        return self._local.record_now(outcome)

    async def close(self) -> None:
        """Close the connection pool; the store then throttles in-process only."""
        if not self._closed:
            self._closed = True
            await self._client.aclose()

    def _shared(self) -> bool:
        """Whether to ask Valkey now (True commits the caller to report back)."""
        return not self._closed and self.circuit.allow()

    def _failed(self, operation: str, error: BaseException) -> None:
        now = self._clock()
        # Skip Valkey for a while: a down server would otherwise cost a timeout per call.
        self.circuit.failed()
        self._failing = True
        if self._on_error is not None:
            try:
                self._on_error(operation)
            except Exception:  # a metrics bug must not stop upstream calls
                logger.exception("the throttle on_error hook raised")
        if now >= self._next_warning:
            self._next_warning = now + self._warn_interval
            logger.warning(
                "Valkey throttle %s failed, throttling in-process until it answers: %s: %s",
                operation,
                type(error).__name__,
                error,
            )

    def _recovered(self) -> None:
        self.circuit.succeeded()
        if self._failing:
            self._failing = False
            logger.info("Valkey answers again, the throttle schedule is shared again")


def _reservation(reply: object) -> Reservation:
    match reply:
        case [int(penalty_ms), int(wait_us), int(busy_us), bytes(delay)]:
            return Reservation(float(delay), wait_us / 1e6, penalty_ms / 1e3, busy_us / 1e6)
    raise valkey_errors.InvalidResponse(f"unexpected throttle reserve reply: {reply!r}")


def _recorded(reply: object) -> tuple[AimdState, float]:
    match reply:
        case [bytes(delay), bytes(ssthresh), int(streak), int(penalty_ms)]:
            return AimdState(float(delay), float(ssthresh), streak), penalty_ms / 1e3
    raise valkey_errors.InvalidResponse(f"unexpected throttle record reply: {reply!r}")
