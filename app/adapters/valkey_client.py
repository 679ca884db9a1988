"""One way to build a `valkey.asyncio` client, shared by every Valkey adapter."""

from __future__ import annotations

from valkey import exceptions as valkey_errors
from valkey.asyncio import Valkey
from valkey.asyncio.retry import Retry
from valkey.backoff import ExponentialBackoff

FAILURES = (valkey_errors.ValkeyError, OSError)
"""What a Valkey call may raise when the server is unreachable, slow or unhappy."""

# Errors worth one retry on a fresh connection: the typical one is the first command on
# a pooled connection that a server restart closed.
RETRIED = [valkey_errors.ConnectionError, valkey_errors.TimeoutError]


def valkey_client(
    url: str, *, socket_timeout: float = 1.0, health_check_interval: float = 30.0
) -> Valkey:
    """A lazily connecting client for `url` (`valkey://host:port/db`, `unix://...`).

    `socket_timeout` bounds connecting and each reply, so a hung server costs at most about
    twice that per call (one retry, on a new connection: enough to get past connections a
    restart closed, short enough not to pile up latency while Valkey is down).
    """
    client: Valkey = Valkey.from_url(
        url,
        socket_timeout=socket_timeout,
        socket_connect_timeout=socket_timeout,
        health_check_interval=health_check_interval,
        retry=Retry(ExponentialBackoff(cap=0.05, base=0.01), retries=1),
        retry_on_error=list(RETRIED),
    )
    return client
