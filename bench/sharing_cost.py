"""What one acquire costs: the per-process limiter against the shared budget file, in-process.

Both pace GETs at ZPA's budget (20 per 10 s) on a fake clock that moves 0.55 s per call, so the
log holds 19 slots (the most it holds without a wait) and no call sleeps: the figure is the
bookkeeping alone (for the file: flock, read, parse, write, unlock), per call, in microseconds.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchlib import Series, log
from section import Add, describe

from pulumi_zpa_pkeys.ratelimit import SlidingWindowLimiter
from pulumi_zpa_pkeys.shared_budget import SharedPacer

CALLS = 20_000
STEP_S = 0.55


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += STEP_S
        return self.now

    def wall(self) -> float:
        return 1.7e9 + self.now

    def sleep(self, seconds: float) -> None:
        raise AssertionError(f"the cost bench must not wait ({seconds:.3f} s)")


def _per_call_us(acquire: Callable[[], float]) -> float:
    started = time.perf_counter()
    for _ in range(CALLS):
        acquire()
    return (time.perf_counter() - started) / CALLS * 1e6


def acquire_cost(runs: int) -> dict[str, Series]:
    """Microseconds per acquire, ``runs`` times each, the two kinds taking turns."""
    alone_s, shared_s = Series(), Series()
    with tempfile.TemporaryDirectory(prefix="zpa-bench-cost-") as where:
        for run in range(runs):
            clock = _Clock()
            alone = SlidingWindowLimiter(20, 10.0, clock=clock, sleep=clock.sleep)
            alone_s.add(_per_call_us(alone.acquire))
            clock = _Clock()
            path = Path(where) / f"budget-{run}.json"
            shared = SharedPacer(
                20, 10, 10.0, path, clock=clock, wall=clock.wall, sleep=clock.sleep
            )
            shared_s.add(_per_call_us(functools.partial(shared.acquire, "GET")))
            shared.close()
    out = {
        "per process (`SlidingWindowLimiter`)": alone_s,
        "shared (`SharedPacer`, file)": shared_s,
    }
    log("acquire cost, us: " + ", ".join(f"{k} {v.fmt(1)}" for k, v in out.items()))
    return out


def render(cost: dict[str, Series], add: Add) -> None:
    """This module's prose and the table of microseconds per acquire."""
    describe(add, __doc__, first=True)
    add("| pacer | µs per acquire |")
    add("|---|---|")
    for name, series in cost.items():
        add(f"| {name} | {series.fmt(1)} |")
    add("")
