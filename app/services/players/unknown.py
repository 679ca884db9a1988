"""Players Blizzard does not know: durable backoff so we stop asking for a while.

Each miss raises `check_count`; the next upstream check waits
`initial × multiplier^(count-1)` seconds, capped (600, 1800, 5400, 16200, 21600, ...).
Before `next_check_at` no upstream call is made for that player. A successful fetch
clears the status in the same write that stores the profile (`PlayerProfiles`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.domain.errors import NotFoundError
from app.domain.player_ids import unknown_player_backoff
from app.ports import Clock, Storage, UnknownPlayer

PLAYER_NOT_FOUND = "Player not found"


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    initial: int
    multiplier: int
    maximum: int


class PlayerNotFoundError(NotFoundError):
    """A player Blizzard does not know, with when to ask again."""

    def __init__(self, status: UnknownPlayer, now: float) -> None:
        super().__init__(PLAYER_NOT_FOUND)
        self.check_count = status.check_count
        self.next_check_at = int(status.next_check_at)
        self.retry_after = max(1, int(status.next_check_at - now))


class UnknownPlayers:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        policy: BackoffPolicy,
        *,
        on_refused: Callable[[], None] | None = None,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._policy = policy
        self._on_refused = on_refused

    async def check(self, key: str) -> UnknownPlayer | None:
        """Raise `PlayerNotFoundError` while `key` is backing off; else return its status."""
        status = await self._storage.get_unknown_player(key)
        now = self._clock()
        if status is not None and now < status.next_check_at:
            if self._on_refused is not None:
                self._on_refused()
            raise PlayerNotFoundError(status, now)
        return status

    async def mark(self, key: str, previous: UnknownPlayer | None) -> PlayerNotFoundError:
        """Record one more miss for `key`; return the error to raise."""
        count = (previous.check_count if previous else 0) + 1
        delay = unknown_player_backoff(
            count,
            initial=self._policy.initial,
            multiplier=self._policy.multiplier,
            maximum=self._policy.maximum,
        )
        now = self._clock()
        status = UnknownPlayer(key, count, now + delay, now)
        await self._storage.put_unknown_player(status)
        return PlayerNotFoundError(status, now)
