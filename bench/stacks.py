"""Stacks deployed side by side on one machine: several provider hosts, one tenant, one budget.

P provider hosts (`python -m pulumi.dynamic`, one per stack, as P `pulumi up` runs on one CI
runner would start) each create K keys at the same moment, each driven by 4 threads (the
engine's limit per host), against one emulator enforcing ZPA's budgets (20 GETs and 10 writes per
window). Every host is configured with the same budget as ZPA's (`zpa:rateLimitWindowSeconds` =
the emulator's window); with `zpa:rateLimitShared` on (the default) the hosts share it through
the cache directory, with it off each host paces itself alone, as before. The run is timed from
the moment the hosts are released together to the last answer of any of them; every host is
started and warmed (signed in) first, and the run starts on fresh windows.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from benchlib import WRITE_BUDGET, Traffic, floor_s, key_inputs, log, traffic
from bulk import configure_limits, keys_named, run_pool, settle, start_host

from pulumi_zpa_pkeys.testing import ProviderHost, RunningEmulator


@dataclass(frozen=True)
class StacksResult:
    """One run: P hosts creating K keys each at once."""

    shared: bool
    window_s: float
    hosts: int
    keys_each: int
    seconds: float  # release to the last answer of any host
    per_host_s: tuple[float, ...]
    traffic: Traffic
    failures: int
    first_error: str | None

    @property
    def writes(self) -> int:
        return self.hosts * self.keys_each

    @property
    def floor_s(self) -> float:
        return floor_s(self.writes, WRITE_BUDGET, self.window_s)

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor_s

    @property
    def retries(self) -> int:
        """Requests beyond the two each create needs (POST, then GET): each one a resend."""
        return self.traffic.api - 2 * self.writes


def stacks_run(
    emu: RunningEmulator,
    hosts: Sequence[ProviderHost],
    keys_each: int,
    window_s: float,
    shared: bool,
    tag: str,
) -> StacksResult:
    """Release every host at once, each creating ``keys_each`` keys with 4 threads."""
    barrier = threading.Barrier(len(hosts) + 1)
    spans: list[tuple[float, float]] = [(0.0, 0.0)] * len(hosts)
    errors: list[str] = []
    prefix = f"bench-stacks-{tag}-"

    def drive(index: int, host: ProviderHost) -> None:
        names = [f"{prefix}h{index}-{n:03d}" for n in range(keys_each)]
        barrier.wait()
        started = time.perf_counter()
        _, _, failed = run_pool(names, lambda name: host.up(name, key_inputs(name)))
        spans[index] = (started, time.perf_counter())
        errors.extend(failed)

    settle(window_s)
    emu.clear_requests()
    threads = [threading.Thread(target=drive, args=(i, h)) for i, h in enumerate(hosts)]
    for thread in threads:
        thread.start()
    barrier.wait()
    for thread in threads:
        thread.join()
    seconds = max(end for _, end in spans) - min(start for start, _ in spans)
    entries = emu.requests_log()
    created = len(keys_named(emu, prefix))
    missing = len(hosts) * keys_each - created
    result = StacksResult(
        shared=shared,
        window_s=window_s,
        hosts=len(hosts),
        keys_each=keys_each,
        seconds=seconds,
        per_host_s=tuple(end - start for start, end in spans),
        traffic=traffic(entries),
        failures=len(errors) + max(0, missing - len(errors)),
        first_error=errors[0] if errors else None,
    )
    log(
        f"{len(hosts)} stacks x {keys_each} keys, window {window_s:g} s, sharing "
        f"{'on' if shared else 'off'}: {seconds:.2f} s, floor {result.floor_s:.2f} s, ratio "
        f"{result.ratio:.3f}, 429s {result.traffic.too_many}, retries {result.retries}, "
        f"failures {result.failures}"
    )
    emu.reset()  # the keys go; the hosts keep their tokens
    return result


def side_by_side(
    emu: RunningEmulator,
    hosts: int,
    keys_each: int,
    runs: int,
    window_s: float,
    variants: Sequence[bool] = (True, False),
) -> list[StacksResult]:
    """``runs`` rounds of every variant (sharing on, off), taking turns run by run."""
    configure_limits(emu, window_s)
    results: list[StacksResult] = []
    started = {shared: [start_host(emu, window_s, shared) for _ in range(hosts)]
               for shared in variants}  # fmt: skip
    try:
        for run in range(runs):
            for shared, group in started.items():
                tag = f"w{window_s:g}-r{run}-{'s' if shared else 'a'}"
                results.append(stacks_run(emu, group, keys_each, window_s, shared, tag))
    finally:
        for group in started.values():
            for host in group:
                host.stop()
    return results


