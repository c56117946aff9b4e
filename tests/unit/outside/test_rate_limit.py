"""The rate limit shared by every process that calls Companies House.

The promise: in ANY window of the configured length, no more requests than the limit, counted
where the service would count them, from all processes together. The Redis tests run separate
processes against the machine's Redis, each with a name (a key) of its own.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
import uuid
from collections.abc import Callable

import pytest

from dps.outside import rate_limit
from dps.outside.rate_limit import LocalRateLimiter, Rate, RateLimitExceeded, parse_rate
from tests.fixtures import services
from tests.fixtures.ch_stub import most_in_any_window


def test_the_window_count_helper_counts_what_it_should() -> None:
    assert most_in_any_window([0.0, 0.5, 0.99, 1.0, 1.5], 1.0) == 3
    assert most_in_any_window([], 1.0) == 0


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("600 per 300 seconds", Rate(600, 300.0)),
        ("600 per 5 minutes", Rate(600, 300.0)),
        ("5 per 2 seconds", Rate(5, 2.0)),
        ("10 per second", Rate(10, 1.0)),
        ("1000/hour", Rate(1000, 3600.0)),
    ],
)
def test_rates_are_read_as_people_write_them(text: str, rate: Rate) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "lots", "0 per second", "5 per 0 seconds", "5 per fortnight"])
def test_a_rate_that_cannot_be_read_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match="per"):
        parse_rate(text)


# --- in one process ---------------------------------------------------------------------------


def run_requests(
    limiter: rate_limit.RateLimiter, count: int, took: float, record: Callable[[float], None]
) -> None:
    """Make ``count`` requests through the limiter, each taking ``took`` seconds to answer."""
    for _ in range(count):
        with rate_limit.slot(limiter, max_wait=30):
            record(time.time())  # the moment the service would see it
            time.sleep(took)


def test_threads_of_one_process_never_exceed_the_limit_in_any_window() -> None:
    rate = Rate(3, 0.5)
    limiter = LocalRateLimiter(rate, hold_seconds=5)
    seen: list[float] = []
    lock = threading.Lock()

    def record(moment: float) -> None:
        with lock:
            seen.append(moment)

    threads = [
        threading.Thread(target=run_requests, args=(limiter, 4, 0.01, record)) for _ in range(4)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(seen) == 16
    assert most_in_any_window(seen, rate.seconds) <= rate.limit
    # ...and it still got through them at about the allowed pace, not one at a time.
    assert time.monotonic() - started < 16 / 3 * 0.5 + 2


def test_a_request_in_flight_keeps_its_slot_until_it_is_answered() -> None:
    limiter = LocalRateLimiter(Rate(1, 0.2), hold_seconds=5)
    with rate_limit.slot(limiter, max_wait=0):
        time.sleep(0.4)  # longer than the window: still counted while unanswered
        granted, _wait = limiter.try_acquire("other")
        assert not granted
    # Answered: its window runs from now, so the slot frees a window later, not before.
    granted, wait = limiter.try_acquire("other")
    assert not granted and 0.1 < wait <= 0.2
    time.sleep(wait + 0.01)
    assert limiter.try_acquire("other")[0]


def test_a_long_wait_is_handed_back_with_the_time_to_wait() -> None:
    limiter = LocalRateLimiter(Rate(1, 30), hold_seconds=5)
    with rate_limit.slot(limiter, max_wait=0):
        pass
    with pytest.raises(RateLimitExceeded) as raised, rate_limit.slot(limiter, max_wait=1):
        pass
    assert 29 < raised.value.retry_after <= 30


def test_a_pause_holds_everyone_back() -> None:
    limiter = LocalRateLimiter(Rate(100, 1), hold_seconds=5)
    limiter.pause(0.3)
    started = time.monotonic()
    with rate_limit.slot(limiter, max_wait=1):
        assert time.monotonic() - started >= 0.29


# --- across processes, in Redis --------------------------------------------------------------


def _process_requests(
    redis_url: str, name: str, count: int, took: float, out: multiprocessing.Queue[float]
) -> None:
    """One process's share: its own Redis connection and limiter, as a worker process has."""
    limiter = rate_limit.limiter_for(name, Rate(5, 1.0), 5.0, redis_url)
    run_requests(limiter, count, took, out.put)


def _run_processes(name: str, processes: int, count: int, took: float) -> list[float]:
    context = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue[float] = context.Queue()
    started = [
        context.Process(target=_process_requests, args=(services.REDIS_URL, name, count, took, out))
        for _ in range(processes)
    ]
    for process in started:
        process.start()
    seen = [out.get(timeout=60) for _ in range(processes * count)]
    for process in started:
        process.join(timeout=30)
        assert process.exitcode == 0
    return seen


@pytest.mark.redis
@pytest.mark.timeout(120)
def test_two_processes_together_never_exceed_the_limit_in_any_window() -> None:
    services.need_redis()
    name = f"test-{uuid.uuid4().hex}"

    # 2 processes x 8 requests at 5 a second: about 3 seconds if the limit is shared, and the
    # limit would be broken at once if each process counted only its own.
    seen = _run_processes(name, processes=2, count=8, took=0.05)

    assert len(seen) == 16
    assert most_in_any_window(seen, 1.0) <= 5
    assert max(seen) - min(seen) < 8


@pytest.mark.redis
def test_in_redis_a_slot_is_held_until_the_answer_and_a_pause_is_shared() -> None:
    services.need_redis()
    name = f"test-{uuid.uuid4().hex}"
    rate = Rate(1, 0.2)
    first = rate_limit.limiter_for(name, rate, 5.0, services.REDIS_URL)
    # Another process's limiter: a Redis connection of its own on the same key.
    import redis

    second = rate_limit.RedisRateLimiter(redis.Redis.from_url(services.REDIS_URL), name, rate, 5)

    with rate_limit.slot(first, max_wait=0):
        time.sleep(0.3)
        assert second.try_acquire("b")[0] is False
    granted, wait = second.try_acquire("b")
    assert not granted and 0.1 < wait <= 0.2
    time.sleep(wait + 0.01)
    assert second.try_acquire("b")[0] is True

    first.pause(2)
    granted, wait = second.try_acquire("c")
    assert not granted and 1.5 < wait <= 2


def test_without_redis_the_limiter_is_this_process_s_own_and_shared_by_its_threads() -> None:
    name = f"test-{uuid.uuid4().hex}"
    one = rate_limit.limiter_for(name, Rate(5, 1), 5.0, "")
    assert isinstance(one, LocalRateLimiter)
    assert rate_limit.limiter_for(name, Rate(5, 1), 5.0, "") is one


def test_redis_that_cannot_be_reached_is_reported_as_such() -> None:
    from tests.fixtures.smtp_sink import free_port

    limiter = rate_limit.limiter_for(
        f"test-{uuid.uuid4().hex}", Rate(5, 1), 5.0, f"redis://127.0.0.1:{free_port()}/0"
    )
    with pytest.raises(rate_limit.RateLimiterUnavailable):
        limiter.try_acquire("a")
