"""A rate limit on calls to an outside service, shared by every process that makes them.

Companies House allows 600 requests in any five minutes per key, across all our workers
together. With Redis configured, every process counts in one Redis sorted set (a sliding-window
log, changed only inside Lua scripts, so counting and taking a slot is one atomic step, timed by
Redis's own clock); without Redis (the embedded default, where tasks run in this process) a lock
in this process does the same.

A request holds its slot from just before it is sent until its answer arrives, and then for one
window from that moment. Counting from the answer rather than from the start means the service
can never see more than the limit in any window, however long a request spent on the way; a
process that dies mid-request leaves a slot held for ``hold_seconds`` (longer than any request
can take), then a window. A caller waits for a free slot when the wait is short, and otherwise
gets ``RateLimitExceeded`` with the time to wait, to retry later.

Why not the ``limits`` library (installed with Flask-Limiter), whose Redis moving window counts
the same kind of log: it cannot keep these promises, which tests/unit/outside/test_rate_limit.py
asserts.
- A slot held until the answer: ``limits`` stamps an entry when the hit is taken and it lapses
  one window later, with no way to keep it while the request is in flight or to restart its
  window at the answer (``test_a_request_in_flight_keeps_its_slot_until_it_is_answered`` and
  its Redis twin). Counted from the hit, a slow request lets the service see more than the limit
  in one window.
- Pausing everyone after a 429 for as long as the service asked (``pause``): it has nothing like
  it.
- Windows shorter than a second (the tests' ``Rate(1, 0.2)``): its windows are whole seconds.
- One clock: its Redis scripts take the time from each caller's machine (``time.time()``), so
  workers on machines whose clocks differ would disagree; these scripts read Redis's own clock.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import redis

# How often a waiting caller looks again while slots are still held by requests in flight.
POLL_SECONDS = 0.05

_UNITS = {"second": 1, "minute": 60, "hour": 3600}
_RATE = re.compile(r"\s*(\d+)\s*(?:per|/)\s*(\d+(?:\.\d+)?)?\s*(second|minute|hour)s?\s*", re.I)


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: float

    def __str__(self) -> str:
        return f"{self.limit} per {self.seconds:g} seconds"


def parse_rate(text: str) -> Rate:
    """``"600 per 300 seconds"``, ``"600 per 5 minutes"``, ``"10 per second"`` as a Rate."""
    match = _RATE.fullmatch(text)
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"a rate looks like '600 per 300 seconds', not {text!r}")
    count = float(match.group(2) or 1)
    if count <= 0:
        raise ValueError(f"a rate's window must be longer than nothing, not {text!r}")
    return Rate(int(match.group(1)), count * _UNITS[match.group(3).lower()])


class RateLimitExceeded(Exception):
    """No slot is free soon enough: try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limit reached: a slot frees in {retry_after:.1f}s")
        self.retry_after = retry_after


class RateLimiterUnavailable(Exception):
    """The shared counter (Redis) cannot be reached, so no slot can be taken safely."""


class RateLimiter(Protocol):
    rate: Rate

    def try_acquire(self, member: str) -> tuple[bool, float]:
        """Take a slot for ``member`` if one is free; otherwise say how long until one may be."""

    def settle(self, member: str) -> None:
        """The request of ``member`` has been answered: its window runs from now."""

    def pause(self, seconds: float) -> None:
        """Take no slot for ``seconds`` (the service asked us to back off)."""


@contextmanager
def slot(limiter: RateLimiter, max_wait: float) -> Iterator[None]:
    """Hold a slot for the request made inside the block, waiting up to ``max_wait`` for one."""
    member = uuid.uuid4().hex
    deadline = time.monotonic() + max_wait
    while True:
        granted, wait = limiter.try_acquire(member)
        if granted:
            break
        remaining = deadline - time.monotonic()
        if wait > remaining:
            raise RateLimitExceeded(max(wait, POLL_SECONDS))
        # Slots held by requests in flight may free sooner than ``wait``: look again soon.
        time.sleep(max(min(wait, 1.0), POLL_SECONDS))
    try:
        yield
    finally:
        limiter.settle(member)


# --- in this process ---------------------------------------------------------------------------


class LocalRateLimiter:
    """For one process (the embedded default): the same log, kept under a lock."""

    def __init__(self, rate: Rate, hold_seconds: float) -> None:
        self.rate = rate
        self.hold_seconds = hold_seconds
        self._lock = threading.Lock()
        self._expires: dict[str, float] = {}  # member -> when its slot is counted until
        self._paused_until = 0.0

    def try_acquire(self, member: str) -> tuple[bool, float]:
        with self._lock:
            now = time.monotonic()
            if self._paused_until > now:
                return False, self._paused_until - now
            self._expires = {m: t for m, t in self._expires.items() if t > now}
            if len(self._expires) < self.rate.limit:
                self._expires[member] = now + self.hold_seconds + self.rate.seconds
                return True, 0.0
            # Optimistic: a request still in flight might be answered at any moment.
            ends = sorted(min(t, now + self.rate.seconds) for t in self._expires.values())
            return False, ends[len(ends) - self.rate.limit] - now

    def settle(self, member: str) -> None:
        with self._lock:
            if member in self._expires:
                self._expires[member] = min(
                    self._expires[member], time.monotonic() + self.rate.seconds
                )

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)


# --- across processes, in Redis ----------------------------------------------------------------

# KEYS: the log, the pause flag. ARGV: limit, window, hold (seconds), member.
# Scores are when each request was answered, or (in flight) when it may last have been sent.
_ACQUIRE = """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local hold = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then
  return {0, tostring(paused / 1000)}
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now + hold, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil((hold + window) * 1000) + 1000)
  return {1, '0'}
end
local kth = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
local score = math.min(tonumber(kth[2]), now)
return {0, tostring(score + window - now)}
"""

# Only ever brings a slot's time earlier (LT), so a late settle cannot extend a slot.
_SETTLE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZADD', KEYS[1], 'XX', 'LT', now, ARGV[1])
return 1
"""

_PAUSE = """
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then
  redis.call('SET', KEYS[1], '1', 'PX', ms)
end
return 1
"""


class RedisRateLimiter:
    """Every process that uses the same Redis and name shares one log."""

    def __init__(self, client: redis.Redis, name: str, rate: Rate, hold_seconds: float) -> None:
        self.rate = rate
        self.hold_seconds = hold_seconds
        self.key = f"dps:rate-limit:{name}"
        self.pause_key = f"{self.key}:paused"
        self._acquire = client.register_script(_ACQUIRE)
        self._settle = client.register_script(_SETTLE)
        self._pause = client.register_script(_PAUSE)

    def _run(self, script: Any, keys: list[str], args: list[Any]) -> Any:
        try:
            return script(keys=keys, args=args)
        except redis.RedisError as error:
            raise RateLimiterUnavailable(str(error)) from error

    def try_acquire(self, member: str) -> tuple[bool, float]:
        args = [self.rate.limit, self.rate.seconds, self.hold_seconds, member]
        granted, wait = self._run(self._acquire, [self.key, self.pause_key], args)
        return bool(granted), float(wait)

    def settle(self, member: str) -> None:
        self._run(self._settle, [self.key], [member])

    def pause(self, seconds: float) -> None:
        self._run(self._pause, [self.pause_key], [max(1, round(seconds * 1000))])


# --- one limiter per service and process ------------------------------------------------------

_limiters: dict[tuple[str, str, Rate, float], RateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(name: str, rate: Rate, hold_seconds: float, redis_url: str = "") -> RateLimiter:
    """The limiter for the service ``name``: in Redis when a URL is given, else in-process.

    Kept per process, so the in-process one is shared by every thread that calls the service.
    """
    cache_key = (name, redis_url, rate, hold_seconds)
    with _limiters_lock:
        limiter = _limiters.get(cache_key)
        if limiter is None:
            if redis_url:
                client = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
                limiter = RedisRateLimiter(client, name, rate, hold_seconds)
            else:
                limiter = LocalRateLimiter(rate, hold_seconds)
            _limiters[cache_key] = limiter
        return limiter
