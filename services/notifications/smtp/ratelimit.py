"""Messages per second to the SMTP relay, shared by every worker through Redis.

Virtual scheduling (GCRA): one key holds the time the next message may go; each worker reserves
a few slots at a time with one script call and sleeps until its slot. If Redis is away, the
worker falls back to limiting itself locally, so a Redis outage never unleashes a flood.
"""

from __future__ import annotations

import logging
import threading
import time

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger("jobbro.notifications.ratelimit")

# Not per installation: the limit protects the relay, and installations may share one relay.
KEY = "jobbro:notifications:smtp-rate"

# KEYS[1]: the slot key. ARGV: interval_ms, count, burst_ms. Returns ms to wait before sending.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + interval * n
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil(new_tat - now + 1000))
local wait = tat - now - burst
if wait < 0 then wait = 0 end
return tostring(wait)
"""


class RateLimiter:
    def __init__(self, redis: Redis | None, per_second: float, *, chunk: int | None = None, key: str = KEY):
        self.rate = float(per_second or 0)
        self.redis = redis
        self.key = key
        # Reserve a tenth of a second's worth at a time: few round trips, small bursts.
        self.chunk = chunk or max(1, min(50, int(self.rate / 10) if self.rate else 1))
        self._left = 0
        self._local_next = 0.0
        self._lock = threading.Lock()
        self._script = redis.register_script(_RESERVE) if redis is not None and self.rate > 0 else None

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self) -> None:
        """Block until one more message may be sent."""
        if not self.enabled:
            return
        with self._lock:
            if self._left > 0:
                self._left -= 1
                return
            wait = self._reserve(self.chunk)
            self._left = self.chunk - 1
        if wait > 0:
            time.sleep(wait)

    def _reserve(self, n: int) -> float:
        interval_ms = 1000.0 / self.rate
        if self._script is not None:
            try:
                return float(self._script(keys=[self.key], args=[interval_ms, n, interval_ms])) / 1000.0
            except RedisError as exc:
                log.warning("rate limit falls back to this process only (redis: %s)", exc)
        now = time.monotonic()
        start = max(now, self._local_next)
        self._local_next = start + n / self.rate
        return start - now
