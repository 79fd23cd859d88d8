"""Bulk work through the real provider host, as `pulumi up/refresh/destroy` drive it.

N keys are created, refreshed and deleted by a pool of 4 threads calling one
`python -m pulumi.dynamic` host (the engine never has more than 4 calls in flight at a dynamic
provider host). The emulator enforces ZPA's budgets (20 GETs and 10 writes per window) with the
window shortened from 10 s, and the provider's client is configured with the same window
(`zpa:rateLimitWindowSeconds`). Each phase starts on fresh windows (the bench waits one window
plus the client's margin between phases) and is timed from the first call submitted to the last
answer. The host shares its budget through the cache directory (`zpa:rateLimitShared`, the
default) or, for comparison, paces itself alone (`rateLimitShared false`, as before).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import sharing_cost
from benchlib import (
    ASSOCIATION,
    GET_BUDGET,
    WRITE_BUDGET,
    ZPA_WINDOW_S,
    Series,
    Traffic,
    host_env,
    key_inputs,
    log,
    phase_floor,
    traffic,
)
from section import Add, Context, Section, Target, describe

from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.ratelimit import default_margin
from pulumi_zpa_pkeys.testing import ProviderHost, ResourceState, RunningEmulator, emulator

ENGINE_CONCURRENCY = 4  # the dynamic provider host's fixed thread pool
PHASES = ("create", "refresh", "delete")
SHARED = "provider"
ALONE = "provider, sharing off"
RATIO_TARGET = 1.10  # through one host, short window (every case's median)

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class PhaseResult:
    """One timed phase of one run."""

    client: str
    phase: str
    count: int
    seconds: float
    floor_s: float
    binding: str
    traffic: Traffic
    failures: int
    first_error: str | None

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor_s if self.floor_s > 0 else float("nan")


def configure_limits(emu: RunningEmulator, window_s: float) -> None:
    """ZPA's budgets on the emulator, with the window shortened to ``window_s``."""
    emu.configure(
        rate_limit=True,
        get_per_window=GET_BUDGET,
        write_per_window=WRITE_BUDGET,
        window_s=window_s,
    )


def settle(window_s: float) -> None:
    """Wait until every window (the emulator's and the client's sliding log) has passed."""
    time.sleep(window_s + default_margin(window_s) + 0.02)


def run_pool(items: Sequence[T], work: Callable[[T], R]) -> tuple[float, list[R | None], list[str]]:
    """Run ``work`` over ``items`` on 4 threads; (seconds, results, error messages)."""
    errors: list[str] = []

    def guarded(item: T) -> R | None:
        try:
            return work(item)
        except Exception as exc:  # a failure is a result of the benchmark, not a crash
            errors.append(f"{type(exc).__name__}: {exc}".splitlines()[0][:300])
            return None

    with ThreadPoolExecutor(max_workers=ENGINE_CONCURRENCY) as pool:
        started = time.perf_counter()
        results = list(pool.map(guarded, items))
        elapsed = time.perf_counter() - started
    return elapsed, results, errors


def phase_result(
    client: str,
    phase: str,
    count: int,
    window_s: float,
    seconds: float,
    entries: list[dict[str, Any]],
    errors: list[str],
    extra_failures: int = 0,
) -> PhaseResult:
    floor, binding = phase_floor(phase, count, window_s)
    return PhaseResult(
        client=client,
        phase=phase,
        count=count,
        seconds=seconds,
        floor_s=floor,
        binding=binding,
        traffic=traffic(entries),
        failures=len(errors) + extra_failures,
        first_error=errors[0] if errors else None,
    )


def provider_config(emu: RunningEmulator, window_s: float, shared: bool = True) -> dict[str, str]:
    """The stack config a user would set: the emulator, and ZPA's budgets on the window."""
    return {
        **emu.config,
        "zpa:rateLimitGets": str(GET_BUDGET),
        "zpa:rateLimitWrites": str(WRITE_BUDGET),
        "zpa:rateLimitWindowSeconds": f"{window_s:g}",
        "zpa:rateLimitShared": "true" if shared else "false",
    }


def start_host(emu: RunningEmulator, window_s: float, shared: bool = True) -> ProviderHost:
    """A started, warmed host: provider unpickled, signed in, connection open."""
    config = provider_config(emu, window_s, shared)
    host = ProviderHost(ProvisioningKeyProvider(), config, env=host_env()).start()
    host.check("warm-up", key_inputs("warm-up"))
    host.read("warm-up", "1", {"association_type": ASSOCIATION})  # not found: one GET
    return host


def keys_named(emu: RunningEmulator, prefix: str) -> list[dict[str, Any]]:
    return [k for k in emu.state()["provisioningKeys"] if str(k["name"]).startswith(prefix)]


def provider_run(
    emu: RunningEmulator,
    host: ProviderHost,
    count: int,
    window_s: float,
    tag: str,
    client: str = SHARED,
) -> list[PhaseResult]:
    """Create, refresh and delete ``count`` keys through ``host``; one result per phase."""
    prefix = f"bench-{tag}-"
    names = [f"{prefix}{i:04d}" for i in range(count)]
    results: list[PhaseResult] = []

    settle(window_s)
    emu.clear_requests()
    seconds, states, errors = run_pool(names, lambda n: host.up(n, key_inputs(n)))
    missing = count - len(keys_named(emu, prefix))
    lost = max(0, missing - len(errors))
    log_entries = emu.requests_log()
    results.append(phase_result(client, "create", count, window_s, seconds, log_entries,
                                errors, extra_failures=lost))  # fmt: skip
    created: list[ResourceState] = [s for s in states if s is not None]

    def refresh(state: ResourceState) -> ResourceState:
        fresh = host.refresh(state)
        if fresh is None:
            raise RuntimeError(f"refresh lost key {state.id}")
        return fresh

    settle(window_s)
    emu.clear_requests()
    seconds, _, errors = run_pool(created, refresh)
    lost = count - len(created)
    log_entries = emu.requests_log()
    results.append(phase_result(client, "refresh", count, window_s, seconds, log_entries,
                                errors, extra_failures=lost))  # fmt: skip

    settle(window_s)
    emu.clear_requests()
    seconds, _, errors = run_pool(created, host.destroy)
    log_entries = emu.requests_log()
    left = len(keys_named(emu, prefix))
    lost = count - len(created) + max(0, left - len(errors))
    results.append(phase_result(client, "delete", count, window_s, seconds, log_entries,
                                errors, extra_failures=lost))  # fmt: skip
    for result in results:
        log(
            f"{client}, window {window_s:g} s: {result.phase:<7} {count:>3} keys: "
            f"{result.seconds:6.2f} s, floor "
            f"{result.floor_s:.2f} s, ratio {result.ratio:.3f}, 429s {result.traffic.too_many}, "
            f"failures {result.failures}"
        )
    return results


def provider_bulk(
    emu: RunningEmulator,
    counts: Sequence[int],
    runs: int,
    window_s: float,
    variants: Sequence[bool] = (True,),
) -> list[PhaseResult]:
    """``runs`` rounds of every size in ``counts`` through one warmed provider host per variant
    (``True``: the budget shared through the cache directory; ``False``: sharing off), the
    variants taking turns size by size so that drift in machine load hits them alike."""
    configure_limits(emu, window_s)
    results: list[PhaseResult] = []
    hosts = {shared: start_host(emu, window_s, shared) for shared in variants}
    try:
        for run in range(runs):
            for count in counts:
                for shared, host in hosts.items():
                    client = SHARED if shared else ALONE
                    tag = f"r{run}-n{count}-{'s' if shared else 'a'}"
                    results += provider_run(emu, host, count, window_s, tag, client)
    finally:
        for host in hosts.values():
            host.stop()
    return results


# -- the section: its measurement, tables and targets -----------------------------------------


@dataclass(frozen=True)
class BulkResult:
    phases: list[PhaseResult]
    cost: dict[str, Series]  # µs per acquire by pacer (`sharing_cost`)


def measure(ctx: Context) -> BulkResult:
    args = ctx.args
    with emulator(rate_limit=True, legacy=True) as emu:
        phases = provider_bulk(emu, args.sizes, args.runs, args.window, variants=(True, False))
    return BulkResult(phases, sharing_cost.acquire_cost(args.small_runs))


def groups(results: Sequence[PhaseResult]) -> dict[tuple[str, int, str], list[PhaseResult]]:
    """Results by (client, keys, phase), in first-seen order."""
    out: dict[tuple[str, int, str], list[PhaseResult]] = {}
    for result in results:
        out.setdefault((result.client, result.count, result.phase), []).append(result)
    return out


def totals(rows: list[PhaseResult]) -> tuple[Series, Series]:
    """(seconds, ratio) of create+refresh+delete per run."""
    runs: dict[int, list[PhaseResult]] = {}
    per_phase: dict[str, int] = {}
    for row in rows:
        index = per_phase.get(row.phase, 0)
        per_phase[row.phase] = index + 1
        runs.setdefault(index, []).append(row)
    seconds = Series([sum(r.seconds for r in run) for run in runs.values()])
    ratio = Series([sum(r.seconds for r in run) / sum(r.floor_s for r in run)
                    for run in runs.values()])  # fmt: skip
    return seconds, ratio


def ratio_text(rows: list[PhaseResult]) -> str:
    if rows[0].floor_s <= 0:
        return "n/a (one window)"
    return Series([r.ratio for r in rows]).fmt(3)


def bulk_table(add: Add, results: list[PhaseResult], clients: Sequence[str]) -> None:
    """One row per client, size and phase, then the three phases together."""
    add("| client | keys | phase | floor (binding budget) | wall time, s | ratio to floor | API "
        "requests | 429s | failures |")  # fmt: skip
    add("|---|---|---|---|---|---|---|---|---|")
    grouped = groups([r for r in results if r.client in clients])
    for count in sorted({key[1] for key in grouped}):
        for client in clients:
            for phase in PHASES:
                rows = grouped.get((client, count, phase), [])
                if rows:
                    add(bulk_row(client, count, phase, rows))
            all_rows = [r for p in PHASES for r in grouped.get((client, count, p), [])]
            if all_rows:
                seconds, ratio = totals(all_rows)
                floor = sum(r.floor_s for r in all_rows) / max(1, len(all_rows) // len(PHASES))
                add(f"| {client} | {count} | **all three** | {floor:.2f} s | {seconds.fmt(2)} | "
                    f"{ratio.fmt(3)} | | | |")  # fmt: skip
    add("")


def bulk_row(client: str, count: int, phase: str, rows: list[PhaseResult]) -> str:
    first = rows[0]
    return (f"| {client} | {count} | {phase} | {first.floor_s:.2f} s ({first.binding}) | "
            + phase_cells(rows))  # fmt: skip


def phase_cells(rows: list[PhaseResult]) -> str:
    """The row's last cells: wall time, ratio to floor, API requests (by method), 429s and
    failures of one client, size and phase over the runs."""
    seconds = Series([r.seconds for r in rows])
    api = Series([float(r.traffic.api) for r in rows])
    too_many = Series([float(r.traffic.too_many) for r in rows])
    failures = Series([float(r.failures) for r in rows])
    return (f"{seconds.fmt(2)} | {ratio_text(rows)} | {api.fmt_int()} "
            f"({rows[0].traffic.describe()}) | {too_many.fmt_int()} | "
            f"{failures.fmt_int()} |")  # fmt: skip


def sharing_cost_rows(results: list[PhaseResult]) -> list[tuple[int, Series, Series, float]]:
    """(keys, seconds with sharing, seconds without, run-to-run spread: the larger max - min of
    the two) of create+refresh+delete per size."""
    out = []
    for count in sorted({r.count for r in results}):
        on, _ = totals([r for r in results if r.client == SHARED and r.count == count])
        off, _ = totals([r for r in results if r.client == ALONE and r.count == count])
        if on.values and off.values:
            spread = max(max(on.values) - min(on.values), max(off.values) - min(off.values))
            out.append((count, on, off, spread))
    return out


def render(ctx: Context, result: BulkResult, add: Add) -> None:
    window = ctx.args.window
    margin_ms = default_margin(window) * 1000
    describe(add, __doc__, first=True)
    add(f"The emulator enforces ZPA's budgets with the window shortened from {ZPA_WINDOW_S:g} s "
        f"to **{window:g} s**; the stack config sets the provider's limiter to the same numbers "
        f"(`zpa:rateLimitGets={GET_BUDGET}`, `zpa:rateLimitWrites={WRITE_BUDGET}`, "
        f"`zpa:rateLimitWindowSeconds={window:g}`; the pacing margin is {margin_ms:.0f} ms). "
        f"Create sends N writes (POST) and N GETs (the read-back): writes bind. Refresh sends N "
        f"GETs, delete N writes. {ctx.args.runs} runs per case and variant; the two hosts "
        f"(sharing on, sharing off) take turns. A failure is an exception from a call, or a key "
        f"the emulator's state shows missing after create or left after delete.")  # fmt: skip
    add("")
    bulk_table(add, result.phases, [SHARED, ALONE])
    add("**What sharing costs when nothing is shared** (one process; create + refresh + delete, "
        "wall time per run):")  # fmt: skip
    add("")
    add("| keys | sharing on, s | sharing off, s | on - off (medians) | run-to-run spread (the "
        "larger max - min of the two) |")  # fmt: skip
    add("|---|---|---|---|---|")
    for count, on, off, spread in sharing_cost_rows(result.phases):
        add(f"| {count} | {on.fmt(3)} | {off.fmt(3)} | {on.median - off.median:+.3f} s | "
            f"{spread:.3f} s |")  # fmt: skip
    add("")
    sharing_cost.render(result.cost, add)


def targets(ctx: Context, result: BulkResult) -> list[Target]:
    shared = [r for r in result.phases if r.client == SHARED]
    worst = max((Series([r.ratio for r in rows]).median
                 for rows in groups(shared).values() if rows[0].floor_s > 0),
                default=math.nan)  # fmt: skip
    too_many = sum(r.traffic.too_many for r in shared)
    failures = sum(r.failures for r in shared)
    window = ctx.args.window
    out = [
        Target(f"one host, {window:g} s window: wall time / floor ≤ {RATIO_TARGET:.2f} (every "
               f"case's median)", f"worst median {worst:.3f}", worst <= RATIO_TARGET, True),
        Target(f"one host, {window:g} s window: no 429, no failure", f"{too_many} 429s, "
               f"{failures} failures", too_many == 0 and failures == 0, True),
    ]  # fmt: skip
    for count, on, off, spread in sharing_cost_rows(result.phases):
        diff = on.median - off.median
        out.append(Target(
            f"one host, {count} keys: sharing costs nothing measurable (on - off no more than "
            f"the run-to-run spread)", f"{diff:+.3f} s, spread {spread:.3f} s",
            diff <= spread))  # fmt: skip
    return out


SECTION = Section(
    "bulk",
    "Bulk work through one provider host, against the rate-limit floor",
    measure,
    render,
    targets,
)
