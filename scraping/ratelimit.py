"""One request rate for the data provider, shared by every worker thread, process and host.

The limiter is a reservation scheduler (GCRA): ``acquire()`` books the next free slot and sleeps
until it, so callers never spin or get refused. With Redis the state lives in a few keys updated by
Lua scripts (atomic across hosts, on Redis' own clock); without Redis (the embedded default runs
one process) it lives in memory, under the same rules:

- **Adaptive rate (AIMD).** The rate in force starts at ``provider.requests_per_second`` and never
  exceeds it. A 429 halves it (once per congestion event, so a burst of refusals counts once) and
  holds every caller back for the ``Retry-After``; time without a 429 raises it again, quickly up
  to 90 % of the rate that was last refused, then slowly past it, probing for the provider's real
  limit. A provider whose limit is below ours so costs a few 429s, not failed searches.
- **Fair share.** Every caller names its flow (a search) and the account it belongs to. The rate
  in force is split evenly between the accounts with a flow active in the last few seconds, and an
  account's part evenly between its searches; each flow books its slots on a schedule of its own at
  that share. A flow that stops asking drops out of the split, so the shares always add up to the
  rate in force and no search waits behind another's backlog.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from adminpanel.config import config_get

# Requests one flow may send back to back before spacing applies. The provider's own bucket holds
# about one second of requests; staying well under it leaves room for clock and network jitter.
BURST_SECONDS = 0.25
KEY = "provider-rate:scrapecreators"
# A flow that booked no slot for this long no longer takes a share.
FLOW_IDLE_SECONDS = 3.0
# After a 429, the rate is halved; further 429s within this window are the same congestion event.
DECREASE_FACTOR = 0.5
DECREASE_WINDOW_SECONDS = 1.0
# Additive increase, in shares of the configured rate per second: fast below 90 % of the rate last
# refused, slow above it; a refused rate is remembered this long.
FAST_INCREASE = 0.10
SLOW_INCREASE = 0.01
REFUSED_MEMORY_SECONDS = 120.0
# The rate never falls below this share of the configured one.
FLOOR_SHARE = 0.05
SHARED_FLOW = "shared"


@dataclass(frozen=True)
class RateInForce:
    """What the ops overview shows: the rate now, the configured ceiling, the searches sharing it."""

    rate: float
    configured: float
    flows: int
    last_refused_rate: float | None


# KEYS: rate state hash, flows zset, flow schedule prefix. ARGV: ceiling, burst_s, account, flow.
# Returns the microseconds the caller must wait before sending.
_ACQUIRE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ceiling = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local member = ARGV[3] .. '|' .. ARGV[4]
local state = redis.call('HMGET', KEYS[1], 'rate', 'hold')
local rate = tonumber(state[1]) or ceiling
if rate > ceiling then rate = ceiling end
local hold = tonumber(state[2]) or 0
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - ARGV[5])
redis.call('ZADD', KEYS[2], now, member)
redis.call('EXPIRE', KEYS[2], 60)
local accounts, mine = {}, 0
local naccounts = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local account = string.match(m, '^(.-)|')
  if not accounts[account] then accounts[account] = true; naccounts = naccounts + 1 end
  if account == ARGV[3] then mine = mine + 1 end
end
local share = rate / naccounts / math.max(mine, 1)
local interval = 1 / share
local tolerance = math.max(0, burst * share - 1) * interval
local key = KEYS[3] .. ARGV[4]
local tat = tonumber(redis.call('GET', key) or '0')
local start = math.max(now, hold)
if tat < start then tat = start end
local wait = tat - tolerance - now
if wait < hold - now then wait = hold - now end
if wait < 0 then wait = 0 end
redis.call('SET', key, tat + interval, 'PX', math.ceil((tat + interval - now) * 1000) + 60000)
return math.floor(wait * 1000000)
"""

# KEYS: rate state hash. ARGV: ceiling, outcome ("ok" | "refused"), retry_after_s, then the tuning.
_OUTCOME_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ceiling = tonumber(ARGV[1])
local s = redis.call('HMGET', KEYS[1], 'rate', 'updated', 'decreased', 'refused_rate', 'refused_at', 'hold')
local rate = math.min(tonumber(s[1]) or ceiling, ceiling)
local updated = tonumber(s[2]) or now
local decreased = tonumber(s[3]) or 0
local refused_rate = tonumber(s[4])
local refused_at = tonumber(s[5]) or 0
local hold = tonumber(s[6]) or 0
if refused_rate and now - refused_at > tonumber(ARGV[9]) then refused_rate = nil end
if ARGV[2] == 'refused' then
  hold = math.max(hold, now + tonumber(ARGV[3]))
  if now - decreased > tonumber(ARGV[5]) then
    refused_rate = rate
    refused_at = now
    rate = math.max(ceiling * tonumber(ARGV[8]), rate * tonumber(ARGV[4]))
    decreased = now
  end
else
  local step = tonumber(ARGV[6])
  if refused_rate and rate >= 0.9 * refused_rate then step = tonumber(ARGV[7]) end
  rate = math.min(ceiling, rate + ceiling * step * math.max(0, now - updated))
end
redis.call('HSET', KEYS[1], 'rate', rate, 'updated', now, 'decreased', decreased, 'hold', hold,
           'refused_rate', refused_rate or '', 'refused_at', refused_at)
redis.call('EXPIRE', KEYS[1], 3600)
return tostring(rate)
"""


def _configured_rate() -> float:
    return max(0.1, float(config_get("provider.requests_per_second")))


class RateLimiter:
    def acquire(self, *, flow: str = SHARED_FLOW, account: str = SHARED_FLOW) -> float:
        """Wait for this caller's slot in ``flow`` (a search) of ``account``; returns the seconds waited.

        A 429 seen while waiting holds everyone back: the caller then books again after the hold.
        """
        waited = 0.0
        for _ in range(10):
            wait = self._reserve(flow=flow, account=account)
            if wait > 0:
                time.sleep(wait)
                waited += wait
            if self._held_for() <= 0:
                break
        return waited

    def record_success(self) -> None:
        """An answer that was not a 429: the rate creeps back up towards the configured one."""
        self._outcome(refused=False, retry_after=0.0)

    def back_off(self, seconds: float) -> None:
        """A 429: halve the rate and hold every caller back for ``seconds`` (its Retry-After)."""
        self._outcome(refused=True, retry_after=max(seconds, 0.0))

    def rate_in_force(self) -> RateInForce:
        raise NotImplementedError

    def reset(self) -> None:
        """Forget the schedule and the learnt rate (tests and benchmarks start from an idle provider)."""
        raise NotImplementedError

    def _reserve(self, *, flow: str, account: str) -> float:
        raise NotImplementedError

    def _held_for(self) -> float:
        raise NotImplementedError

    def _outcome(self, *, refused: bool, retry_after: float) -> None:
        raise NotImplementedError


@dataclass
class _RateState:
    rate: float | None = None
    updated: float | None = None
    decreased: float = 0.0
    refused_rate: float | None = None
    refused_at: float = 0.0
    hold: float = 0.0


class MemoryRateLimiter(RateLimiter):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = _RateState()
        self._flows: dict[tuple[str, str], float] = {}
        self._schedules: dict[str, float] = {}

    def reset(self) -> None:
        with self._lock:
            self._state = _RateState()
            self._flows.clear()
            self._schedules.clear()

    def _rate(self, ceiling: float) -> float:
        return min(self._state.rate if self._state.rate is not None else ceiling, ceiling)

    def _reserve(self, *, flow: str, account: str) -> float:
        ceiling = _configured_rate()
        with self._lock:
            now = time.monotonic()
            self._flows = {key: seen for key, seen in self._flows.items() if seen >= now - FLOW_IDLE_SECONDS}
            self._flows[(account, flow)] = now
            accounts = {key[0] for key in self._flows}
            mine = sum(1 for key in self._flows if key[0] == account)
            share = self._rate(ceiling) / len(accounts) / max(mine, 1)
            interval = 1.0 / share
            tolerance = max(0.0, BURST_SECONDS * share - 1) * interval
            tat = max(self._schedules.get(flow, 0.0), now, self._state.hold)
            self._schedules[flow] = tat + interval
            return max(0.0, tat - tolerance - now, self._state.hold - now)

    def _held_for(self) -> float:
        with self._lock:
            return self._state.hold - time.monotonic()

    def _outcome(self, *, refused: bool, retry_after: float) -> None:
        ceiling = _configured_rate()
        with self._lock:
            state, now = self._state, time.monotonic()
            rate = self._rate(ceiling)
            if state.refused_rate is not None and now - state.refused_at > REFUSED_MEMORY_SECONDS:
                state.refused_rate = None
            if refused:
                state.hold = max(state.hold, now + retry_after)
                if now - state.decreased > DECREASE_WINDOW_SECONDS:
                    state.refused_rate, state.refused_at = rate, now
                    rate = max(ceiling * FLOOR_SHARE, rate * DECREASE_FACTOR)
                    state.decreased = now
            else:
                slow = state.refused_rate is not None and rate >= 0.9 * state.refused_rate
                elapsed = max(0.0, now - (state.updated if state.updated is not None else now))
                rate = min(ceiling, rate + ceiling * (SLOW_INCREASE if slow else FAST_INCREASE) * elapsed)
            state.rate, state.updated = rate, now

    def rate_in_force(self) -> RateInForce:
        ceiling = _configured_rate()
        with self._lock:
            now = time.monotonic()
            flows = sum(1 for seen in self._flows.values() if seen >= now - FLOW_IDLE_SECONDS)
            return RateInForce(rate=self._rate(ceiling), configured=ceiling, flows=flows,
                               last_refused_rate=self._state.refused_rate)


class RedisRateLimiter(RateLimiter):
    def __init__(self, url: str, key: str = KEY) -> None:
        import redis

        self._client = redis.Redis.from_url(url)
        self._acquire_script = self._client.register_script(_ACQUIRE_LUA)
        self._outcome_script = self._client.register_script(_OUTCOME_LUA)
        self._state_key, self._flows_key, self._flow_prefix = f"{key}:state", f"{key}:flows", f"{key}:flow:"

    def reset(self) -> None:
        keys = [self._state_key, self._flows_key, *self._client.scan_iter(match=f"{self._flow_prefix}*")]
        self._client.delete(*keys)

    def _reserve(self, *, flow: str, account: str) -> float:
        waited_us = self._acquire_script(
            keys=[self._state_key, self._flows_key, self._flow_prefix],
            args=[_configured_rate(), BURST_SECONDS, account, flow, FLOW_IDLE_SECONDS],
        )
        return int(waited_us) / 1_000_000

    def _held_for(self) -> float:
        hold = self._client.hget(self._state_key, "hold")
        if not hold:
            return 0.0
        seconds, micros = self._client.time()
        return float(hold) - (seconds + micros / 1_000_000)

    def _outcome(self, *, refused: bool, retry_after: float) -> None:
        self._outcome_script(
            keys=[self._state_key],
            args=[_configured_rate(), "refused" if refused else "ok", retry_after, DECREASE_FACTOR,
                  DECREASE_WINDOW_SECONDS, FAST_INCREASE, SLOW_INCREASE, FLOOR_SHARE, REFUSED_MEMORY_SECONDS],
        )

    def rate_in_force(self) -> RateInForce:
        ceiling = _configured_rate()
        rate, refused = self._client.hmget(self._state_key, "rate", "refused_rate")
        seconds, micros = self._client.time()
        flows = self._client.zcount(self._flows_key, seconds + micros / 1_000_000 - FLOW_IDLE_SECONDS, "+inf")
        return RateInForce(rate=min(float(rate), ceiling) if rate else ceiling, configured=ceiling, flows=flows,
                           last_refused_rate=float(refused) if refused else None)


@lru_cache(maxsize=1)
def _limiter_for(redis_url: str) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()


def provider_rate_limiter() -> RateLimiter:
    return _limiter_for(settings.REDIS_URL)
