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

import argparse
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from benchlib import WRITE_BUDGET, ZPA_WINDOW_S, Series, Traffic, floor_s, key_inputs, log, traffic
from bulk import configure_limits, keys_named, run_pool, settle, start_host
from section import Add, Context, Section, Target, describe

from pulumi_zpa_pkeys.testing import ProviderHost, RunningEmulator, emulator

STACKS_GOAL = 1.05  # wall time / floor, sharing on


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


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stacks", type=int, default=3, help="provider hosts side by side")
    parser.add_argument("--stack-keys", type=int, default=20, help="keys each of them creates")


def measure(ctx: Context) -> list[StacksResult]:
    args = ctx.args
    results: list[StacksResult] = []
    with emulator(rate_limit=True) as emu:
        results += side_by_side(emu, args.stacks, args.stack_keys, args.runs, args.window)
        if args.real_runs > 0:
            results += side_by_side(emu, args.stacks, args.stack_keys, args.real_runs,
                                    ZPA_WINDOW_S)  # fmt: skip
    return results


def stack_groups(results: list[StacksResult]) -> dict[tuple[float, bool], list[StacksResult]]:
    out: dict[tuple[float, bool], list[StacksResult]] = {}
    for r in results:
        out.setdefault((r.window_s, r.shared), []).append(r)
    return out


def render(ctx: Context, results: list[StacksResult], add: Add) -> None:
    describe(add, __doc__, first=True)
    if not results:
        add("No runs.")
        add("")
        return
    first = results[0]
    add(f"{first.hosts} hosts x {first.keys_each} keys = **{first.writes} writes** (POST; each "
        f"create also reads the key back with a GET: {first.writes} GETs, never the binding "
        f"budget). Floor for the writes: (⌈{first.writes}/{WRITE_BUDGET}⌉ - 1) · W = "
        f"{(first.floor_s / first.window_s):g} W. Retries are requests beyond the "
        f"{2 * first.writes} the creates need. Per host: each host's own time from release to "
        f"its last answer.")  # fmt: skip
    add("")
    add("| window | sharing | runs | floor | wall time, s | ratio to floor | API requests | 429s "
        "| retries | failures | per host, s (median run) |")  # fmt: skip
    add("|---|---|---|---|---|---|---|---|---|---|---|")
    errors: dict[str, str] = {}
    for (window, shared), rows in stack_groups(results).items():
        seconds = Series([r.seconds for r in rows])
        ratio = Series([r.ratio for r in rows])
        api = Series([float(r.traffic.api) for r in rows])
        too_many = Series([float(r.traffic.too_many) for r in rows])
        retries = Series([float(r.retries) for r in rows])
        failures = Series([float(r.failures) for r in rows])
        middle = sorted(rows, key=lambda r: r.seconds)[len(rows) // 2]
        per_host = ", ".join(f"{s:.2f}" for s in middle.per_host_s)
        label = "on" if shared else "off (each host alone)"
        for row in rows:
            if row.first_error and label not in errors:
                errors[label] = row.first_error
        add(f"| {window:g} s | {label} | {len(rows)} | {rows[0].floor_s:.2f} s | "
            f"{seconds.fmt(2)} | {ratio.fmt(3)} | {api.fmt_int()} | {too_many.fmt_int()} | "
            f"{retries.fmt_int()} | {failures.fmt_int()} | {per_host} |")  # fmt: skip
    add("")
    for label, error in errors.items():
        add(f"First failure with sharing {label}: `{error}`")
        add("")


def targets(ctx: Context, results: list[StacksResult]) -> list[Target]:
    out = []
    for (window, shared), rows in stack_groups(results).items():
        if not shared:
            continue
        ratio = Series([r.ratio for r in rows])
        too_many = sum(r.traffic.too_many for r in rows)
        failures = sum(r.failures for r in rows)
        n = f"{rows[0].hosts} stacks x {rows[0].keys_each} keys at once, {window:g} s window"
        out.append(Target(f"{n}: wall time / floor ≤ {STACKS_GOAL:.2f}", ratio.fmt(3),
                          ratio.median <= STACKS_GOAL))  # fmt: skip
        out.append(Target(f"{n}: no 429, no failure", f"{too_many} 429s, {failures} failures",
                          too_many == 0 and failures == 0, True))  # fmt: skip
    return out


SECTION = Section(
    "stacks",
    "Stacks side by side: provider hosts sharing one budget",
    measure,
    render,
    targets,
    options,
)
