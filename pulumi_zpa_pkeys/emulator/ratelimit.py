"""Rate limits. ``RateLimiter``: ZPA's own per-tenant limits, one budget for GETs, one for
writes, each a fixed window that opens at its first call; a refused call does not consume budget.
``GatewayBudget``: what the OneAPI gateway and token host advertise in ``x-ratelimit-*``."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_s: float  # seconds until the window ends
    window_s: float

    def retry_after(self) -> str:
        """``13s``, or tenths (``0.4s``) when the window is shorter than 10 s."""
        if self.window_s < 10:
            return f"{max(0.1, math.ceil(self.reset_s * 10 - 1e-9) / 10):.1f}s"
        return f"{max(1, math.ceil(self.reset_s - 1e-9))}s"


class RateLimiter:
    def __init__(
        self,
        *,
        enabled: bool = True,
        get_per_window: int = 20,
        write_per_window: int = 10,
        window_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self._clock = clock
        self.get_per_window = get_per_window
        self.write_per_window = write_per_window
        self.window_s = window_s
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}  # bucket -> (window start, used)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()

    def _limit(self, bucket: str) -> int:
        return self.get_per_window if bucket == "get" else self.write_per_window

    def take(self, method: str, bucket: str | None = None) -> Decision:
        """Count one call: a GET or a write of ZPA's budgets, or (``bucket``) a call of another
        budget that counts like a write (another product's)."""
        if bucket is None:
            bucket = "get" if method == "GET" else "write"
        limit = self._limit(bucket)
        now = self._clock()
        with self._lock:
            start, used = self._windows.get(bucket, (now, 0))
            if now - start >= self.window_s:
                start, used = now, 0
            reset_s = max(0.0, start + self.window_s - now)
            if not self.enabled:
                return Decision(True, limit, limit, reset_s, self.window_s)
            if used >= limit:
                self._windows[bucket] = (start, used)
                return Decision(False, limit, 0, reset_s, self.window_s)
            used += 1
            self._windows[bucket] = (start, used)
            return Decision(True, limit, limit - used, reset_s, self.window_s)


class GatewayBudget:
    """A fixed window of ``limit`` requests that every request counts against, reported as the
    recorded gateways do (``x-ratelimit-limit: 5000, 5000;w=60``, the remaining count and the
    whole seconds to the window's end). It never refuses: ZPA's own limits answer 429 behind it
    (inferred: the recorded 429 still had 4932 of 5000 left)."""

    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        more_policies: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.policy = f"{limit}, {limit};w={window_s:g}{more_policies}"
        self._clock = clock
        self._lock = threading.Lock()
        self._start: float | None = None
        self._used = 0

    def reset(self) -> None:
        with self._lock:
            self._start, self._used = None, 0

    def take(self) -> list[tuple[str, str]]:
        """Count one request; its ``x-ratelimit-*`` headers."""
        now = self._clock()
        with self._lock:
            if self._start is None or now - self._start >= self.window_s:
                self._start, self._used = now, 0
            self._used += 1
            remaining = max(0, self.limit - self._used)
            reset_s = math.ceil(self._start + self.window_s - now - 1e-9)
        return [
            ("x-ratelimit-limit", self.policy),
            ("x-ratelimit-remaining", str(remaining)),
            ("x-ratelimit-reset", str(max(1, reset_s))),
        ]
