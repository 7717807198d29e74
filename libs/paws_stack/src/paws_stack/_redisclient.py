"""The one way paws builds a Redis client, and redis-py imported only when one is built.

redis-py >= 6 retries 3 times with backoff up to 10 s by default: a probe of a dead node must
fail within its timeout, not 10 s later, so retries are off. The import costs about 0.3 s,
which commands that never talk to Redis (`logs`, `endpoints`, `--help`) should not pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import redis


def redis_client(
    host: str, port: int, password: str, timeout: float, **options: Any
) -> redis.Redis:
    """A client with `timeout` for connecting and for each reply, and no retries."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis(
        host=host,
        port=port,
        password=password,
        socket_timeout=timeout,
        socket_connect_timeout=options.pop("socket_connect_timeout", timeout),
        retry=Retry(NoBackoff(), 0),
        **options,
    )
