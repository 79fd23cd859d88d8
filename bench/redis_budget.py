"""Machines behind one egress IP: provider hosts on several machines sharing one budget in Redis.

M "machines" (provider hosts `python -m pulumi.dynamic`, each with a cache directory of its own,
so that the per-machine budget file cannot be what they share) each create K keys at the same
moment, each driven by 4 threads (the engine's limit per host), against one emulator enforcing
ZPA's budgets (20 GETs and 10 writes per window). Every host is configured with ZPA's budget
(`zpa:rateLimitWindowSeconds` = the emulator's window). Variants: `one Redis`, every host naming
the same Redis (`zpa:rateLimitRedisUrl`, a local `redis-server` started by the bench); `no Redis`,
each machine pacing by its own budget file, as runners on separate machines did before; `Redis
killed`, one Redis that the bench kills (SIGKILL) a third of the floor into the run: each host
warns once and goes on with its machine's budget (429s are then retried), and no operation may
fail. Timed from the moment the hosts are released together to the last answer of any of them;
every host is started and warmed (signed in) first, and each run starts on fresh windows.

The cost of one acquire: the bookkeeping of one reservation in the per-machine budget file
(flock, read, parse, write, unlock; on a fake clock, as in the bulk section) against one in
Redis (one `EVALSHA` round trip over loopback TCP to a local server; budgets so large that no
call waits), per call, in microseconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sharing_cost
from benchlib import (
    ASSOCIATION,
    WRITE_BUDGET,
    ZPA_WINDOW_S,
    Series,
    floor_s,
    host_env,
    key_inputs,
    log,
)
from bulk import (
    configure_limits,
    provider_config,
)
from section import Add, Context, Section, Target, describe
from together import TogetherRun, by_window_and_label, release_together, render_runs

from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.ratelimit import Pacer
from pulumi_zpa_pkeys.redis_budget import COOLDOWN_S, RedisPacer
from pulumi_zpa_pkeys.testing import ProviderHost, RunningEmulator, emulator
from pulumi_zpa_pkeys.testing.redis_server import (
    RedisServer,
    RedisUnavailable,
    redis_server,
)

REDIS = "one Redis"
ALONE = "no Redis (each machine its own budget)"
KILLED = "one Redis, killed at 1/3 of the floor"
VARIANTS = (REDIS, ALONE, KILLED)
#: wall time / floor, through one Redis, by window.
GOALS = {ZPA_WINDOW_S: 1.03}
SHORT_GOAL = 1.10
REDIS_CALLS = 3000


@dataclass
class RedisBenchResult:
    runs: list[TogetherRun] = field(default_factory=list)
    cost: dict[str, Series] = field(default_factory=dict)
    note: str = ""  # why nothing was measured, if so


def start_machine(
    emu: RunningEmulator, window_s: float, cache: Path, redis_url: str | None
) -> ProviderHost:
    """A started, warmed provider host of one machine (its own cache directory)."""
    config = provider_config(emu, window_s, shared=True)
    if redis_url is not None:
        config["zpa:rateLimitRedisUrl"] = redis_url
    env = {**host_env(), "XDG_CACHE_HOME": str(cache)}
    host = ProviderHost(ProvisioningKeyProvider(), config, env=env).start()
    host.check("warm-up", key_inputs("warm-up"))
    host.read("warm-up", "1", {"association_type": ASSOCIATION})  # not found: one GET
    return host


def machines_run(
    emu: RunningEmulator,
    hosts: Sequence[ProviderHost],
    keys_each: int,
    window_s: float,
    variant: str,
    tag: str,
    kill: RedisServer | None = None,
) -> TogetherRun:
    """Release every host at once, each creating ``keys_each`` keys with 4 threads; with
    ``kill``, SIGKILL that Redis a third of the floor after the release."""
    meanwhile = None
    if kill is not None:
        meanwhile = (floor_s(len(hosts) * keys_each, WRITE_BUDGET, window_s) / 3, kill.kill)
    prefix = f"bench-redis-{tag}-"
    return release_together(emu, hosts, keys_each, window_s, variant, prefix, meanwhile=meanwhile)


def across_machines(
    emu: RunningEmulator,
    server: RedisServer,
    machines: int,
    keys_each: int,
    runs: int,
    window_s: float,
) -> list[TogetherRun]:
    """``runs`` rounds of every variant, taking turns run by run. After a kill, Redis is
    started again and the hosts are given the cool-down to come back to it."""
    configure_limits(emu, window_s)
    results: list[TogetherRun] = []
    with tempfile.TemporaryDirectory(prefix="zpa-bench-machines-") as where:
        groups = {
            variant: [
                start_machine(emu, window_s, Path(where) / f"{i}-{n}",
                              None if variant == ALONE else server.url)
                for n in range(machines)
            ]
            for i, variant in enumerate(VARIANTS)
        }  # fmt: skip
        try:
            for run in range(runs):
                for i, (variant, hosts) in enumerate(groups.items()):
                    tag = f"w{window_s:g}-r{run}-{i}"
                    kill = server if variant == KILLED else None
                    results.append(machines_run(emu, hosts, keys_each, window_s, variant, tag,
                                                kill))  # fmt: skip
                    if kill is not None:
                        server.start()
                        time.sleep(COOLDOWN_S)  # the hosts try Redis again after it
        finally:
            for hosts in groups.values():
                for host in hosts:
                    host.stop()
    return results


def redis_cost(server: RedisServer, runs: int) -> Series:
    """Microseconds per RedisPacer acquire, ``runs`` times (budgets so large none waits)."""
    out = Series()
    for run in range(runs):
        pacer = RedisPacer(10**7, 10**7, 10.0, server.url, api_base="bench-cost",
                           customer_id=str(run), fallback=Pacer(0, 0, 0))  # fmt: skip
        pacer.acquire("GET")  # connect, load the script
        started = time.perf_counter()
        for _ in range(REDIS_CALLS):
            pacer.acquire("GET")
        out.add((time.perf_counter() - started) / REDIS_CALLS * 1e6)
        pacer.close()
    return out


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--machines",
        type=int,
        default=3,
        help="machines (provider hosts, own cache directories) on one Redis",
    )
    parser.add_argument("--machine-keys", type=int, default=20,
                        help="keys each of them creates")  # fmt: skip


def measure(ctx: Context) -> RedisBenchResult:
    args = ctx.args
    result = RedisBenchResult()
    try:
        with redis_server() as server:
            log(f"redis-server at {server.address}")
            with emulator(rate_limit=True) as emu:
                result.runs += across_machines(emu, server, args.machines, args.machine_keys,
                                               args.runs, args.window)  # fmt: skip
                if args.real_runs > 0:
                    result.runs += across_machines(emu, server, args.machines,
                                                   args.machine_keys, args.real_runs,
                                                   ZPA_WINDOW_S)  # fmt: skip
            bulk = ctx.results.get("bulk")
            file_cost = bulk.cost if bulk is not None else sharing_cost.acquire_cost(
                args.small_runs)  # fmt: skip
            result.cost = {**file_cost, "Redis (`RedisPacer`, loopback TCP)":
                           redis_cost(server, args.small_runs)}  # fmt: skip
            log("acquire cost, us: " + ", ".join(f"{k} {v.fmt(1)}" for k, v in
                                                  result.cost.items()))  # fmt: skip
    except RedisUnavailable as err:
        result.note = str(err)
        log(f"skipped: {err}")
    return result


def render(ctx: Context, result: RedisBenchResult, add: Add) -> None:
    describe(add, __doc__, first=True)
    if result.note or not result.runs:
        add(f"Not measured: {result.note or 'no runs'}.")
        add("")
        return
    render_runs(add, result.runs, host="machine", label_header="budget")
    add("| pacer | µs per acquire |")
    add("|---|---|")
    for name, series in result.cost.items():
        add(f"| {name} | {series.fmt(1)} |")
    add("")


def targets(ctx: Context, result: RedisBenchResult) -> list[Target]:
    out = []
    for (window, variant), rows in by_window_and_label(result.runs).items():
        if variant == ALONE:
            continue
        n = f"{rows[0].hosts} machines x {rows[0].keys_each} keys, {variant}, {window:g} s"
        too_many = sum(r.traffic.too_many for r in rows)
        failures = sum(r.failures for r in rows)
        if variant == KILLED:
            out.append(Target(f"{n}: no failed operation", f"{failures} failures, "
                              f"{too_many} 429s (retried)", failures == 0, True))  # fmt: skip
            continue
        goal = GOALS.get(window, SHORT_GOAL)
        ratio = Series([r.ratio for r in rows])
        out.append(Target(f"{n}: wall time / floor ≤ {goal:.2f}", ratio.fmt(3),
                          ratio.median <= goal))  # fmt: skip
        out.append(Target(f"{n}: no 429, no failure", f"{too_many} 429s, {failures} failures",
                          too_many == 0 and failures == 0, True))  # fmt: skip
    return out


SECTION = Section(
    "redis",
    "Machines sharing one budget through Redis",
    measure,
    render,
    targets,
    options,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run this section alone: its targets and Markdown on stdout (progress on stderr).

    .venv/bin/python bench/redis_budget.py [--window 0.7] [--runs 3] [--real-runs 1]
    """
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--window", type=float, default=0.7, help="short window, seconds")
    parser.add_argument("--runs", type=int, default=3, help="runs of each short-window case")
    parser.add_argument("--real-runs", type=int, default=1,
                        help="runs of each case at ZPA's 10 s window (0: skip them)")  # fmt: skip
    parser.add_argument("--small-runs", type=int, default=5, help="runs of the acquire cost")
    options(parser)
    ctx = Context(parser.parse_args(argv), [SECTION])
    result = measure(ctx)
    lines: list[str] = []
    for target in targets(ctx, result):
        verdict = "met" if target.met else "**missed**"
        lines.append(f"- {target.aim}{' (required)' if target.required else ''}: "
                     f"{target.result} ({verdict})")  # fmt: skip
    lines.append("")
    render(ctx, result, lines.append)
    print("\n".join(lines))
    return 1 if any(t.required and not t.met for t in targets(ctx, result)) else 0


if __name__ == "__main__":
    sys.exit(main())
