"""ZPA's rate limits: one budget for GETs, one for writes, each a fixed window that opens at
its first call. A refused call does not consume budget."""

from __future__ import annotations

import math
import threading
import time
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
    ) -> None:
        self.enabled = enabled
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

    def take(self, method: str) -> Decision:
        bucket = "get" if method == "GET" else "write"
        limit = self._limit(bucket)
        now = time.monotonic()
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
