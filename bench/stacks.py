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
from collections.abc import Sequence

from benchlib import ZPA_WINDOW_S, Series
from bulk import configure_limits, start_host
from section import Add, Context, Section, Target, describe
from together import TogetherRun, by_window_and_label, release_together, render_runs

from pulumi_zpa_pkeys.testing import ProviderHost, RunningEmulator, emulator

STACKS_GOAL = 1.05  # wall time / floor, sharing on


SHARED = "on"
ALONE = "off (each host alone)"


def stacks_run(
    emu: RunningEmulator,
    hosts: Sequence[ProviderHost],
    keys_each: int,
    window_s: float,
    shared: bool,
    tag: str,
) -> TogetherRun:
    """Release every host at once, each creating ``keys_each`` keys with 4 threads."""
    label = SHARED if shared else ALONE
    return release_together(emu, hosts, keys_each, window_s, label, f"bench-stacks-{tag}-")


def side_by_side(
    emu: RunningEmulator,
    hosts: int,
    keys_each: int,
    runs: int,
    window_s: float,
    variants: Sequence[bool] = (True, False),
) -> list[TogetherRun]:
    """``runs`` rounds of every variant (sharing on, off), taking turns run by run."""
    configure_limits(emu, window_s)
    results: list[TogetherRun] = []
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


def measure(ctx: Context) -> list[TogetherRun]:
    args = ctx.args
    results: list[TogetherRun] = []
    with emulator(rate_limit=True) as emu:
        results += side_by_side(emu, args.stacks, args.stack_keys, args.runs, args.window)
        if args.real_runs > 0:
            results += side_by_side(emu, args.stacks, args.stack_keys, args.real_runs,
                                    ZPA_WINDOW_S)  # fmt: skip
    return results


def render(ctx: Context, results: list[TogetherRun], add: Add) -> None:
    describe(add, __doc__, first=True)
    if not results:
        add("No runs.")
        add("")
        return
    render_runs(add, results, host="host", label_header="sharing")


def targets(ctx: Context, results: list[TogetherRun]) -> list[Target]:
    out = []
    for (window, label), rows in by_window_and_label(results).items():
        if label != SHARED:
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
