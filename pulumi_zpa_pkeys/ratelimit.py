"""Client-side pacing that keeps one process within ZPA's per-tenant request budgets.

ZPA counts GETs and writes (POST/PUT/DELETE) separately, each in a fixed window that opens at
its first call. A sliding log that never lets ``limit`` sends fall within ``window_s +
margin_s`` is safe against any placement of that fixed window, and the margin absorbs the
difference between when we send and when the server counts (network and thread jitter).

:class:`Pacer` paces one process. Processes on one machine that reach the same tenant share one
budget through :mod:`~pulumi_zpa_pkeys.shared_budget` (same rule, :func:`next_slot`, applied to a
slot log kept in a file), and processes on several machines through
:mod:`~pulumi_zpa_pkeys.redis_budget` (the same rule in a script that Redis runs).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})


def default_margin(window_s: float) -> float:
    """The pacing margin: 3 % of the window, at least 20 ms, at most 150 ms.

    The margin absorbs how much later ZPA may count one send than another (network and thread
    jitter on a kept-alive connection: tens of milliseconds), so it need not grow with the
    window: ZPA's 10 s window gets 0.15 s (1.5 %; 0.3 s cost 3 % of every window of bulk work,
    bench/RESULTS.md), and a rare 429 is still waited out and retried. A window shortened for
    the emulator keeps 3 % down to 0.67 s, below which 20 ms remain.
    """
    return min(0.15, max(0.02, 0.03 * window_s))


def next_slot(slots: Sequence[float], now: float, limit: int, span: float) -> float:
    """The earliest send time, not before ``now``, that keeps at most ``limit`` sends in any
    ``span`` given the slots already reserved (``slots``, in increasing order).

    The slot ``limit`` places back bounds the new one; never before the last reserved slot
    either, so waiters are served in the order they asked (this only matters when processes
    sharing one log disagree on ``limit`` or ``span``).
    """
    slot = now if len(slots) < limit else max(now, slots[-limit] + span)
    return max(slot, slots[-1]) if slots else slot


class SlidingWindowLimiter:
    """At most ``limit`` sends in any interval of ``window_s + margin_s``; thread safe.

    Each caller reserves the earliest free slot under the lock and sleeps outside it, so
    waiting callers are served in order and the lock is never held while sleeping.
    """

    def __init__(
        self,
        limit: int,
        window_s: float,
        margin_s: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be >= 1 and window_s > 0")
        self.limit = limit
        self.span = window_s + (default_margin(window_s) if margin_s is None else margin_s)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._slots: deque[float] = deque(maxlen=limit)

    def acquire(self) -> float:
        """Wait for a send slot; return the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = next_slot(self._slots, now, self.limit, self.span)
            self._slots.append(slot)
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait


class Pacer:
    """One budget for GETs and one for writes in this process; ``None`` limiters mean pacing
    is off.

    The pacer interface of the transport is :meth:`acquire` alone (``PacedAdapter`` calls it
    before every attempt); the shared budgets (:class:`~pulumi_zpa_pkeys.shared_budget.SharedPacer`,
    :class:`~pulumi_zpa_pkeys.redis_budget.RedisPacer`) keep it.
    """

    def __init__(
        self,
        gets: int,
        writes: int,
        window_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        on = bool(gets and writes and window_s)

        def limiter(limit: int) -> SlidingWindowLimiter | None:
            return SlidingWindowLimiter(limit, window_s, clock=clock, sleep=sleep) if on else None

        self._gets, self._writes = limiter(gets), limiter(writes)

    def acquire(self, method: str) -> float:
        """Wait until a request with HTTP ``method`` may be sent; return the seconds waited."""
        limiter = self._writes if method.upper() in WRITE_METHODS else self._gets
        return limiter.acquire() if limiter is not None else 0.0
