"""Client-side pacing (no sockets; a fake clock stands in for time).

The same limiter is exercised over HTTP against the emulator in test_client.py.
"""

from __future__ import annotations

import threading
import time

import pytest

from pulumi_zpa_pkeys.ratelimit import Pacer, SlidingWindowLimiter, default_margin, next_slot


class FakeTime:
    """A single-threaded clock whose sleep advances it, so waits cost no real time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def send_times(limiter: SlidingWindowLimiter, fake: FakeTime, count: int) -> list[float]:
    times = []
    for _ in range(count):
        limiter.acquire()
        times.append(fake.clock())
    return times


def max_in_any_window(times: list[float], window: float) -> int:
    """The largest number of sends in any half-open interval [t, t + window)."""
    ordered = sorted(times)
    return max(sum(1 for u in ordered if t <= u < t + window) for t in ordered)


def test_acquire_first_burst_is_immediate() -> None:
    fake = FakeTime()
    limiter = SlidingWindowLimiter(10, 10.0, 0.2, clock=fake.clock, sleep=fake.sleep)
    assert send_times(limiter, fake, 10) == [1000.0] * 10


def test_acquire_never_exceeds_limit_in_any_window() -> None:
    fake = FakeTime()
    limiter = SlidingWindowLimiter(10, 10.0, 0.2, clock=fake.clock, sleep=fake.sleep)
    times = send_times(limiter, fake, 100)
    assert max_in_any_window(times, 10.2) == 10


def test_acquire_bulk_runs_close_to_the_floor() -> None:
    # 100 writes at 10 per 10 s: the floor is 90 s (ten full windows after the first).
    fake = FakeTime()
    limiter = SlidingWindowLimiter(10, 10.0, clock=fake.clock, sleep=fake.sleep)
    times = send_times(limiter, fake, 100)
    elapsed = times[-1] - times[0]
    assert 90.0 <= elapsed <= 90.0 * 1.10


def test_acquire_spread_sends_wait_only_for_the_oldest() -> None:
    fake = FakeTime()
    limiter = SlidingWindowLimiter(2, 1.0, 0.0, clock=fake.clock, sleep=fake.sleep)
    limiter.acquire()
    fake.now += 0.6
    limiter.acquire()
    assert limiter.acquire() == pytest.approx(0.4)
    assert fake.now == pytest.approx(1001.0)


def test_acquire_threads_share_one_budget() -> None:
    limiter = SlidingWindowLimiter(5, 0.3, 0.02)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(3):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stamps) == 12
    # Reserved slots are 0.32 s apart; allow 70 ms for threads waking late under load.
    assert max_in_any_window(stamps, 0.25) <= 5


def test_default_margin_bounds() -> None:
    assert default_margin(0.5) == 0.02
    assert default_margin(0.7) == pytest.approx(0.021)
    assert default_margin(2.0) == pytest.approx(0.06)
    assert default_margin(10.0) == pytest.approx(0.15)
    assert default_margin(600.0) == 0.15


def test_limiter_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        SlidingWindowLimiter(0, 1.0)


def test_pacer_keeps_gets_and_writes_apart() -> None:
    pacer = Pacer(gets=1, writes=1, window_s=60.0)
    assert pacer.acquire("GET") == 0.0
    assert pacer.acquire("POST") == 0.0  # a separate budget, not blocked by the GET


def test_pacer_zero_turns_pacing_off() -> None:
    for gets, writes, window in ((0, 1, 1.0), (1, 0, 1.0), (1, 1, 0.0)):
        pacer = Pacer(gets, writes, window)
        assert [pacer.acquire("DELETE") for _ in range(5)] == [0.0] * 5


def test_next_slot_is_bounded_by_the_slot_limit_places_back() -> None:
    assert next_slot([], 5.0, 2, 1.0) == 5.0
    assert next_slot([4.5], 5.0, 2, 1.0) == 5.0
    assert next_slot([4.5, 4.8], 5.0, 2, 1.0) == 5.5
    assert next_slot([3.0, 4.8], 5.0, 2, 1.0) == 5.0  # the older slot has left the span


def test_next_slot_never_jumps_the_queue() -> None:
    # A slot reserved for later by a process with a stricter budget keeps its place.
    assert next_slot([5.0, 7.0], 5.5, 5, 1.0) == 7.0
