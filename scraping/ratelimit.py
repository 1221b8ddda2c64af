"""One request rate for the data provider, shared by every worker thread, process and host.

The limiter is a reservation scheduler (GCRA): ``acquire()`` books the next free slot and sleeps
until it, so callers never spin or get refused, and requests leave evenly spaced at the configured
rate with a small burst allowance. With Redis the schedule lives in one key updated by a Lua script
(atomic across hosts, on Redis' own clock); without Redis (the embedded default runs one process)
it lives in memory.

A 429 from the provider pushes the whole schedule back by its ``Retry-After``, so every worker
waits, not just the one that was refused.
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache

from django.conf import settings

from adminpanel.config import config_get

# Requests allowed back to back before spacing applies. The provider's own bucket holds about one
# second of requests; staying well under it leaves room for clock and network jitter.
BURST_SECONDS = 0.25
KEY = "provider-rate:scrapecreators"

# KEYS[1] = schedule key; ARGV = interval_us, tolerance_us, penalty_us.
# Returns the microseconds the caller must wait before sending.
_RESERVE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local penalty = tonumber(ARGV[3])
if penalty > 0 then
  local pushed = now + penalty + tolerance
  if pushed > tat then
    redis.call('SET', KEYS[1], pushed, 'PX', math.ceil((pushed - now) / 1000) + 60000)
  end
  return 0
end
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
local next_tat = tat + interval
redis.call('SET', KEYS[1], next_tat, 'PX', math.ceil((next_tat - now) / 1000) + 60000)
return wait
"""


class RateLimiter:
    def acquire(self) -> float:
        """Wait for this caller's slot; returns the seconds waited."""
        wait = self._reserve(penalty=0.0)
        if wait > 0:
            time.sleep(wait)
        return wait

    def back_off(self, seconds: float) -> None:
        """Hold every caller back for ``seconds`` (the provider said Retry-After)."""
        self._reserve(penalty=max(seconds, 0.0))

    def reset(self) -> None:
        """Forget the schedule (tests and benchmarks start from an idle provider)."""
        raise NotImplementedError

    def _timings(self) -> tuple[float, float]:
        rate = float(config_get("provider.requests_per_second"))
        interval = 1.0 / rate if rate > 0 else 0.0
        return interval, max(0.0, BURST_SECONDS * rate - 1) * interval

    def _reserve(self, *, penalty: float) -> float:
        raise NotImplementedError


class MemoryRateLimiter(RateLimiter):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tat = 0.0

    def reset(self) -> None:
        with self._lock:
            self._tat = 0.0

    def _reserve(self, *, penalty: float) -> float:
        interval, tolerance = self._timings()
        with self._lock:
            now = time.monotonic()
            if penalty:
                self._tat = max(self._tat, now + penalty + tolerance)
                return 0.0
            tat = max(self._tat, now)
            self._tat = tat + interval
            return max(0.0, tat - tolerance - now)


class RedisRateLimiter(RateLimiter):
    def __init__(self, url: str, key: str = KEY) -> None:
        import redis

        self._client = redis.Redis.from_url(url)
        self._script = self._client.register_script(_RESERVE_LUA)
        self._key = key

    def reset(self) -> None:
        self._client.delete(self._key)

    def _reserve(self, *, penalty: float) -> float:
        interval, tolerance = self._timings()
        waited_us = self._script(
            keys=[self._key],
            args=[int(interval * 1_000_000), int(tolerance * 1_000_000), int(penalty * 1_000_000)],
        )
        return int(waited_us) / 1_000_000


@lru_cache(maxsize=1)
def _limiter_for(redis_url: str) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()


def provider_rate_limiter() -> RateLimiter:
    return _limiter_for(settings.REDIS_URL)
