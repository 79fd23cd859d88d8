"""The emulator's time: the machine's clocks plus an offset that only grows.

Tokens, rate windows, ZIA/ZTW sessions and client assertions read the time here, so a test
passes a token's lifetime, a rate window or a session's idle time with ``POST
/_emulator/clock`` (``{"advance_s": 1.5}``) instead of waiting for it. Time never runs back:
what expired stays expired.
"""

from __future__ import annotations

import math
import threading
import time

#: One step of the clock at most (a day): a larger one is a typo, not a test.
MAX_ADVANCE_S = 86400.0


class Clock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0

    @property
    def offset_s(self) -> float:
        """How far the emulator's time is ahead of the machine's, in seconds."""
        return self._offset

    def time(self) -> float:
        """Wall-clock seconds since the epoch (token and assertion times)."""
        return time.time() + self._offset

    def monotonic(self) -> float:
        """Seconds for measuring intervals (rate windows, idle sessions)."""
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds`` (0 to a day); the new offset.

        :raises ValueError: ``seconds`` is not a finite number in that range.
        """
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            or not math.isfinite(seconds)
            or not 0 <= seconds <= MAX_ADVANCE_S
        ):
            raise ValueError(f"advance_s must be a number of seconds from 0 to {MAX_ADVANCE_S:g}")
        with self._lock:
            self._offset += float(seconds)
            return self._offset
