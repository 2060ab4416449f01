"""The Redis connection, one per process, swappable in tests through `get_redis.cache_clear()`."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Depends

from redis import Redis

from shared.settings import get_settings


@lru_cache
def get_redis() -> Redis:
    # Short timeouts: a request must not hang when Redis is away; the outbox keeps what is unsent.
    return Redis.from_url(get_settings().redis_url, socket_timeout=2, socket_connect_timeout=2)


# For routes: tests and other wiring swap it through `app.dependency_overrides[get_redis]`.
RedisDep = Annotated[Redis, Depends(get_redis)]
