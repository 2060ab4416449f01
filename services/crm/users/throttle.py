"""Login attempts per e-mail address and per client address, counted in Redis.

The account lockout (service.login) stops guessing one account's password; this stops a client
trying many accounts, or hammering one faster than the lockout's bookkeeping, and it holds across
every crm replica because the counters live in Redis. Fixed one-minute windows: simple, and the
worst case (twice the limit across a window edge) is still far too slow for guessing.

Redis being away must not lock everyone out: the check then lets the attempt through (the
lockout in the database still applies) and says so in the log.
"""

from __future__ import annotations

import hashlib
import logging
import time

from redis import Redis
from redis.exceptions import RedisError

from shared.errors import DomainError
from shared.installation import redis_key
from shared.settings import get_settings

log = logging.getLogger("jobbro.crm.login")

WINDOW_SECONDS = 60


class TooManyAttempts(DomainError):
    status_code = 429

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.details["retry_after_seconds"])}


def _key(kind: str, value: str, window: int) -> str:
    # Hashed: the keys are visible to anyone with Redis access and an e-mail is personal data.
    digest = hashlib.sha256(value.encode()).hexdigest()[:24]
    return redis_key("login", kind, digest, str(window))


def check(redis: Redis, email: str, client: str | None) -> None:
    """Count this attempt; raise TooManyAttempts (429) when a limit for the minute is passed."""
    s = get_settings()
    window = int(time.time()) // WINDOW_SECONDS
    limits = [("email", email.strip().lower(), s.login_attempts_per_email_per_minute)]
    if client:
        limits.append(("client", client, s.login_attempts_per_client_per_minute))
    try:
        pipe = redis.pipeline()
        for kind, value, _ in limits:
            key = _key(kind, value, window)
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS * 2)
        counts = pipe.execute()[::2]
    except RedisError as exc:
        log.warning("login rate limit unavailable, attempt allowed: %s", exc)
        return
    for (kind, _, limit), count in zip(limits, counts, strict=True):
        if limit > 0 and count > limit:
            retry = WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
            raise TooManyAttempts("For mange loginforsøg på kort tid. Vent et minut, og prøv igen.",
                                  retry_after_seconds=retry)
