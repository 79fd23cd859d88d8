"""Run every benchmark and write bench/RESULTS.md (`make bench`).

    .venv/bin/python bench/run.py [--window 0.7] [--runs 3] [--real-runs 1] [--only KEYS]

Each section is one entry of SECTIONS below: a key (for `--only`), a title, a function that
measures (into `ctx.data[key]`), one that renders its Markdown, and optionally the targets it
reports in the summary. To add a benchmark, write those functions and add one `Section(...)`.
Every figure is the median of the runs stated with min and max. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchlib import (
    FLOOR_FORMULA,
    GET_BUDGET,
    WRITE_BUDGET,
    Series,
    git_revision,
    log,
    machine,
)
from bulk import ALONE, PHASES, SHARED, PhaseResult, provider_bulk
from lookup10k import lookup_10k
from ops import requests_per_operation
from sdk_compare import sdk_available, sdk_bulk
from sharing_cost import acquire_cost
from stacks import StacksResult, side_by_side
from startup import HOST_SERVES, cold_start

from pulumi_zpa_pkeys.ratelimit import default_margin
from pulumi_zpa_pkeys.testing import emulator

ROOT = Path(__file__).resolve().parent.parent
ZPA_WINDOW_S = 10.0
RATIO_TARGET = 1.10  # bulk through one host, short window (every case's median)
STACKS_GOAL = 1.05  # three stacks side by side, sharing on
REAL_GOAL = 1.03  # 30 keys created, refreshed and deleted at ZPA's 10 s window
REAL_KEYS = 30

Add = Callable[[str], None]


@dataclass
class Target:
    """One line of the summary: what was aimed at, what was measured, and whether it was met.
    A ``required`` target missed makes `make bench` fail."""

    aim: str
    result: str
    met: bool
    required: bool = False


@dataclass
class Context:
    args: argparse.Namespace
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    measure: Callable[[Context], None]
    render: Callable[[Context, Add], None]
    targets: Callable[[Context], list[Target]] = lambda ctx: []


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--window", type=float, default=0.7,
                        help="short rate-limit window in seconds, for the emulator and the "
                             "client (ZPA: 10; default 0.7)")  # fmt: skip
    parser.add_argument("--runs", type=int, default=3, help="runs of each short-window case")
    parser.add_argument("--real-runs", type=int, default=1,
                        help="runs of each case at ZPA's 10 s window (0: skip them)")  # fmt: skip
    parser.add_argument("--small-runs", type=int, default=5,
                        help="runs of counts, cold start, lookups, acquire cost")  # fmt: skip
    parser.add_argument("--sizes", default="30,100", help="bulk sizes (keys)")
    parser.add_argument("--stacks", type=int, default=3, help="provider hosts side by side")
    parser.add_argument("--stack-keys", type=int, default=20, help="keys each of them creates")
    parser.add_argument("--shim-sizes", default="30",
                        help="bulk sizes, SDK with the retry-after shim ('' = skip)")  # fmt: skip
    parser.add_argument("--no-sdk", action="store_true", help="skip zscaler-sdk-python")
    parser.add_argument("--only", default="",
                        help="comma-separated section keys to run: "
                             + ", ".join(s.key for s in SECTIONS))  # fmt: skip
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    return parser.parse_args(argv)


def sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def command_line(argv: Sequence[str] | None) -> str:
    given = list(sys.argv[1:] if argv is None else argv)
    return "`make bench`" if not given else f"`.venv/bin/python bench/run.py {' '.join(given)}`"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    chosen = [s for s in SECTIONS if not args.only or s.key in args.only.split(",")]
    started = time.perf_counter()
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    ctx = Context(args)
    for section in chosen:
        log(f"== {section.key}: {section.title}")
        section.measure(ctx)
    info["load average at end"] = machine()["load average at start"]
    elapsed = time.perf_counter() - started
    targets = [t for s in chosen for t in s.targets(ctx)]
    lines: list[str] = []
    add = lines.append
    header(add, args, info, when, elapsed, command_line(argv))
    render_targets(add, targets)
    for number, section in enumerate(chosen, 1):
        add(f"## {number}. {section.title}")
        add("")
        section.render(ctx, add)
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"wrote {args.output} ({elapsed:.0f} s in all)")
    return 1 if any(t.required and not t.met for t in targets) else 0


def header(
    add: Add, args: argparse.Namespace, info: dict[str, str], when: str, elapsed: float, cmd: str
) -> None:
    add("# Benchmarks: pulumi_zpa_pkeys")
    add("")
    add("Written by `make bench` (`.venv/bin/python bench/run.py`); do not edit by hand.")
    add("Every figure is the **median (min-max)** of the runs stated; a single value means every "
        "run gave it.")  # fmt: skip
    add("")
    add("| | |")
    add("|---|---|")
    add(f"| command | {cmd} |")
    add(f"| date | {when} |")
    add(f"| revision | `{git_revision(str(ROOT))}` |")
    for key, value in info.items():
        add(f"| {key} | {value} |")
    add(f"| rate-limit windows | {args.window:g} s (shortened, budgets unchanged: {GET_BUDGET} GET "
        f"/ {WRITE_BUDGET} writes per window) and ZPA's own {ZPA_WINDOW_S:g} s |")  # fmt: skip
    add(f"| runs | {args.runs} per case at {args.window:g} s; {args.real_runs} per case at "
        f"{ZPA_WINDOW_S:g} s; {args.small_runs} for counts, cold start, lookups, acquire "
        f"cost |")  # fmt: skip
    add(f"| duration | {elapsed:.0f} s |")
    add("")
    add(f"**The floor** used throughout: ZPA counts GETs and writes in separate fixed windows, "
        f"each opening at its first call and admitting B calls (B = {GET_BUDGET} GETs or "
        f"{WRITE_BUDGET} writes); the next window opens at the first call after it ends. The "
        f"first B calls go at once and each further B need another window W, so N calls of one "
        f"kind cannot all have been sent before **{FLOOR_FORMULA}**, for the budget that binds. "
        f"It leaves out the time the last batch itself takes (its calls are not answered in "
        f"0 s), so ratio - 1 is the client's pacing margin at each window boundary "
        f"(`default_margin`: 3 % of W, at least 20 ms, at most 0.15 s) plus that last batch plus "
        f"all overhead.")  # fmt: skip
    add("")


def render_targets(add: Add, targets: list[Target]) -> None:
    if not targets:
        return
    add("## Targets")
    add("")
    add("| target | result | |")
    add("|---|---|---|")
    for t in targets:
        verdict = "met" if t.met else "**missed**"
        add(f"| {t.aim}{' (required)' if t.required else ''} | {t.result} | {verdict} |")
    add("")


def docstring_paragraphs(module: object) -> list[str]:
    """A module docstring's paragraphs after the first, as Markdown (bullets kept)."""
    text = (getattr(module, "__doc__", None) or "").strip()
    out = []
    for paragraph in text.split("\n\n")[1:]:
        items: list[str] = []
        for line in paragraph.splitlines():
            if line.startswith("- ") or not items:
                items.append(line.strip())
            else:
                items[-1] += " " + line.strip()
        out.append("\n".join(items))
    return out


def describe(add: Add, module: object, first: bool = False) -> None:
    """A module's docstring as the section's prose (``first``: its first paragraph too)."""
    text = (getattr(module, "__doc__", None) or "").strip()
    if first:
        add(" ".join(text.split("\n\n")[0].split()))
        add("")
    for paragraph in docstring_paragraphs(module):
        add(paragraph)
        add("")


# -- 1. requests per operation ---------------------------------------------------------------


def measure_ops(ctx: Context) -> None:
    with emulator() as emu:
        ctx.data["ops"] = requests_per_operation(emu, ctx.args.small_runs)


def render_ops(ctx: Context, add: Add) -> None:
    import ops as module

    result = ctx.data["ops"]
    describe(add, module, first=True)
    add(f"{ctx.args.small_runs} runs. Counts are API requests in the emulator's log "
        "(`GET /_emulator/requests`), sign-ins counted apart; times are warm (after the first "
        "call of the process).")  # fmt: skip
    add("")
    add("| operation | API requests | sent (method status) | time, ms |")
    add("|---|---|---|---|")
    for stats in result.ops.values():
        notes = [stats.note] if stats.note else []
        notes += sorted(o for o in stats.outcomes if o != "ok")
        note = f" ({'; '.join(notes)})" if notes else ""
        sent = "; ".join(sorted(stats.sent))
        add(f"| {stats.name}{note} | {stats.requests.fmt_int()} | {sent} | "
            f"{stats.millis.fmt(1)} |")  # fmt: skip
    add("")
    add(f"Sign-ins per provider process: **{result.host_sign_ins.fmt_int()}** over "
        f"{result.host_calls.fmt_int()} calls to each host. Sign-ins of the program process "
        f"doing every lookup of every run: **{result.lookup_sign_ins}** over "
        f"{result.lookup_calls} lookups (one token per process, reused until it nears "
        "expiry).")  # fmt: skip
    add("")


# -- 2. bulk through one host, short window, sharing on and off ------------------------------


def measure_bulk(ctx: Context) -> None:
    args = ctx.args
    with emulator(rate_limit=True, legacy=True) as emu:
        ctx.data["bulk"] = provider_bulk(emu, sizes(args.sizes), args.runs, args.window,
                                         variants=(True, False))  # fmt: skip
    ctx.data["cost"] = acquire_cost(ctx.args.small_runs)


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
    seconds = Series([r.seconds for r in rows])
    api = Series([float(r.traffic.api) for r in rows])
    too_many = Series([float(r.traffic.too_many) for r in rows])
    failures = Series([float(r.failures) for r in rows])
    return (f"| {client} | {count} | {phase} | {first.floor_s:.2f} s ({first.binding}) | "
            f"{seconds.fmt(2)} | {ratio_text(rows)} | {api.fmt_int()} "
            f"({first.traffic.describe()}) | {too_many.fmt_int()} | "
            f"{failures.fmt_int()} |")  # fmt: skip


def sharing_cost_rows(results: list[PhaseResult]) -> list[tuple[int, Series, Series]]:
    """(keys, seconds with sharing, seconds without) of create+refresh+delete per size."""
    out = []
    for count in sorted({r.count for r in results}):
        on, _ = totals([r for r in results if r.client == SHARED and r.count == count])
        off, _ = totals([r for r in results if r.client == ALONE and r.count == count])
        if on.values and off.values:
            out.append((count, on, off))
    return out


def render_bulk(ctx: Context, add: Add) -> None:
    import bulk as module

    window = ctx.args.window
    margin_ms = default_margin(window) * 1000
    describe(add, module, first=True)
    add(f"The emulator enforces ZPA's budgets with the window shortened from {ZPA_WINDOW_S:g} s "
        f"to **{window:g} s**; the stack config sets the provider's limiter to the same numbers "
        f"(`zpa:rateLimitGets={GET_BUDGET}`, `zpa:rateLimitWrites={WRITE_BUDGET}`, "
        f"`zpa:rateLimitWindowSeconds={window:g}`; the pacing margin is {margin_ms:.0f} ms). "
        f"Create sends N writes (POST) and N GETs (the read-back): writes bind. Refresh sends N "
        f"GETs, delete N writes. {ctx.args.runs} runs per case and variant; the two hosts "
        f"(sharing on, sharing off) take turns. A failure is an exception from a call, or a key "
        f"the emulator's state shows missing after create or left after delete.")  # fmt: skip
    add("")
    bulk_table(add, ctx.data["bulk"], [SHARED, ALONE])
    add("**What sharing costs when nothing is shared** (one process; create + refresh + delete, "
        "wall time per run):")  # fmt: skip
    add("")
    add("| keys | sharing on, s | sharing off, s | on - off (medians) | run-to-run spread (the "
        "larger max - min of the two) |")  # fmt: skip
    add("|---|---|---|---|---|")
    for count, on, off in sharing_cost_rows(ctx.data["bulk"]):
        spread = max(max(on.values) - min(on.values), max(off.values) - min(off.values))
        add(f"| {count} | {on.fmt(3)} | {off.fmt(3)} | {on.median - off.median:+.3f} s | "
            f"{spread:.3f} s |")  # fmt: skip
    add("")
    import sharing_cost

    cost = ctx.data["cost"]
    describe(add, sharing_cost, first=True)
    add("| pacer | µs per acquire |")
    add("|---|---|")
    for name, series in cost.items():
        add(f"| {name} | {series.fmt(1)} |")
    add("")


def targets_bulk(ctx: Context) -> list[Target]:
    results: list[PhaseResult] = ctx.data["bulk"]
    shared = [r for r in results if r.client == SHARED]
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
    for count, on, off in sharing_cost_rows(results):
        spread = max(max(on.values) - min(on.values), max(off.values) - min(off.values))
        diff = on.median - off.median
        out.append(Target(
            f"one host, {count} keys: sharing costs nothing measurable (on - off no more than "
            f"the run-to-run spread)", f"{diff:+.3f} s, spread {spread:.3f} s",
            diff <= spread))  # fmt: skip
    return out


# -- 3. ZPA's real window through one host ---------------------------------------------------


def measure_real(ctx: Context) -> None:
    if ctx.args.real_runs < 1:
        ctx.data["real"] = []
        return
    with emulator(rate_limit=True, legacy=True) as emu:
        ctx.data["real"] = provider_bulk(emu, [REAL_KEYS], ctx.args.real_runs, ZPA_WINDOW_S)


def render_real(ctx: Context, add: Add) -> None:
    results: list[PhaseResult] = ctx.data["real"]
    if not results:
        add("Skipped (`--real-runs 0`).")
        add("")
        return
    margin = default_margin(ZPA_WINDOW_S)
    add(f"As section 2, with the emulator and the provider at ZPA's own window, "
        f"**{ZPA_WINDOW_S:g} s** (`zpa:rateLimitWindowSeconds` at its default), {REAL_KEYS} keys, "
        f"sharing on (the default), {ctx.args.real_runs} run(s). Here the fixed costs (the last "
        f"batch, gRPC, the emulator) weigh little; what remains is the pacing margin, "
        f"{margin:g} s at each of the 5 window boundaries of the run (2 in create, 1 in refresh, "
        f"2 in delete), {5 * margin:g} s over a {5 * ZPA_WINDOW_S:g} s floor: "
        f"{5 * margin / (5 * ZPA_WINDOW_S) * 100:.1f} %.")  # fmt: skip
    add("")
    bulk_table(add, results, [SHARED])


def targets_real(ctx: Context) -> list[Target]:
    results: list[PhaseResult] = ctx.data["real"]
    if not results:
        return []
    _, ratio = totals(results)
    too_many = sum(r.traffic.too_many for r in results)
    failures = sum(r.failures for r in results)
    return [
        Target(f"{REAL_KEYS} keys created, refreshed, deleted at {ZPA_WINDOW_S:g} s: wall time / "
               f"floor ≤ {REAL_GOAL:.2f}", f"{ratio.fmt(3)}", ratio.median <= REAL_GOAL),
        Target(f"{REAL_KEYS} keys at {ZPA_WINDOW_S:g} s: no 429, no failure",
               f"{too_many} 429s, {failures} failures", too_many == 0 and failures == 0, True),
    ]  # fmt: skip


# -- 4. stacks side by side ------------------------------------------------------------------


def measure_stacks(ctx: Context) -> None:
    args = ctx.args
    results: list[StacksResult] = []
    with emulator(rate_limit=True) as emu:
        results += side_by_side(emu, args.stacks, args.stack_keys, args.runs, args.window)
        if args.real_runs > 0:
            results += side_by_side(emu, args.stacks, args.stack_keys, args.real_runs,
                                    ZPA_WINDOW_S)  # fmt: skip
    ctx.data["stacks"] = results


def stack_groups(results: list[StacksResult]) -> dict[tuple[float, bool], list[StacksResult]]:
    out: dict[tuple[float, bool], list[StacksResult]] = {}
    for r in results:
        out.setdefault((r.window_s, r.shared), []).append(r)
    return out


def render_stacks(ctx: Context, add: Add) -> None:
    import stacks as module

    results: list[StacksResult] = ctx.data["stacks"]
    describe(add, module, first=True)
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


def targets_stacks(ctx: Context) -> list[Target]:
    out = []
    for (window, shared), rows in stack_groups(ctx.data["stacks"]).items():
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


# -- 5. the official SDK ---------------------------------------------------------------------


def measure_sdk(ctx: Context) -> None:
    args = ctx.args
    ctx.data["sdk_note"] = ""
    ctx.data["sdk"] = []
    if args.no_sdk:
        return
    if not sdk_available():
        ctx.data["sdk_note"] = "zscaler-sdk-python is not installed; `make bench` installs it."
        return
    with emulator(rate_limit=True, legacy=True) as emu:
        results = sdk_bulk(emu, sizes(args.sizes), args.runs, args.window)
        if sizes(args.shim_sizes):
            results += sdk_bulk(emu, sizes(args.shim_sizes), args.runs, args.window, shim=True)
    ctx.data["sdk"] = results


def render_sdk(ctx: Context, add: Add) -> None:
    window = ctx.args.window
    if ctx.data["sdk_note"]:
        add(ctx.data["sdk_note"])
        add("")
        return
    sdk: list[PhaseResult] = ctx.data["sdk"]
    if not sdk:
        add("Skipped (`--no-sdk`).")
        add("")
        return
    import sdk_compare

    describe(add, sdk_compare)
    add(f"Same emulator settings ({window:g} s window), 4 threads. The SDK's create is one POST "
        "(it returns ZPA's create answer, without the group and certificate names the provider "
        "reads back), so its create sends half the provider's requests; it runs in-process, "
        "without the provider host's gRPC hop. The provider's rows are section 2's (sharing "
        "on).")  # fmt: skip
    add("")
    provider = [r for r in ctx.data.get("bulk", []) if r.client == SHARED]
    both = provider + sdk
    add("| client | keys | phase | floor | wall time, s | ratio to floor | API requests | 429s "
        "| failures |")  # fmt: skip
    add("|---|---|---|---|---|---|---|---|---|")
    errors: dict[str, str] = {}
    for (client, count, phase), rows in groups(both).items():
        first = rows[0]
        seconds = Series([r.seconds for r in rows])
        api = Series([float(r.traffic.api) for r in rows])
        too_many = Series([float(r.traffic.too_many) for r in rows])
        failures = Series([float(r.failures) for r in rows])
        for row in rows:
            if row.first_error and client not in errors:
                errors[client] = row.first_error
        add(f"| {client} | {count} | {phase} | {first.floor_s:.2f} s | {seconds.fmt(2)} | "
            f"{ratio_text(rows)} | {api.fmt_int()} ({first.traffic.describe()}) | "
            f"{too_many.fmt_int()} | {failures.fmt_int()} |")  # fmt: skip
    add("")
    add("Per run, create + refresh + delete, median:")
    add("")
    for count in sorted({r.count for r in both}):
        parts = []
        for client in dict.fromkeys(r.client for r in both):
            rows = [r for r in both if r.client == client and r.count == count]
            if not rows:
                continue
            seconds, _ = totals(rows)
            runs = max(1, len(rows) // len(PHASES))
            per_run_429 = sum(r.traffic.too_many for r in rows) / runs
            per_run_failed = sum(r.failures for r in rows) / runs
            per_run_api = sum(r.traffic.api for r in rows) / runs
            parts.append(f"{client} {seconds.median:.2f} s, {per_run_api:g} requests, "
                         f"{per_run_429:g} 429s, {per_run_failed:g} failures")  # fmt: skip
        add(f"- {count} keys: " + "; ".join(parts) + ".")
    add("")
    if errors:
        add("Failures, first exception of each client:")
        add("")
        for client, error in errors.items():
            add(f"- {client}: `{error}`")
        add("")
    if "SDK as shipped" in {r.client for r in sdk}:
        add(f"**Finding.** With a {window:g} s window the emulator answers 429 with "
            "`retry-after: 0.Ns` (tenths, as the contract specifies for windows under 10 s). "
            "The SDK's legacy ZPA client parses the header with "
            "`int(retry_after.rstrip(\"sS\"))` (`zscaler/zpa/legacy.py`, `send`), raises "
            "`ValueError` there, and the call fails: every 429 is a failed operation, nothing "
            "is retried. Its wall times are then short because most calls fail at once; the "
            "ratio is not a speed. On ZPA's real 10 s window (`retry-after: 13s`) the parse "
            "works; the shimmed variant shows that behaviour: it does not pace, so every "
            "window past the first costs 429s and a `retry-after` sleep per thread.")  # fmt: skip
        add("")


# -- 6. cold start ---------------------------------------------------------------------------


def measure_startup(ctx: Context) -> None:
    with emulator() as emu:
        ctx.data["startup"] = cold_start(emu.config, ctx.args.small_runs)


def render_startup(ctx: Context, add: Add) -> None:
    import startup

    boot = ctx.data["startup"]
    describe(add, startup)
    add("| process | time, ms | over `import pulumi`, ms |")
    add("|---|---|---|")
    base = boot.rows.get("import pulumi")
    for name, series in boot.rows.items():
        delta = ""
        if base is not None and name != "import pulumi":
            diffs = Series([a - b for a, b in zip(series.values, base.values, strict=True)])
            lo, hi = min(diffs.values), max(diffs.values)
            delta = f"{diffs.median:+.0f} ({lo:+.0f} to {hi:+.0f})"
        add(f"| `{name}` | {series.fmt(0)} | {delta} |")
    add("")
    serving = boot.rows.get(HOST_SERVES)
    if serving is not None and base is not None:
        add(f"The provider host serves {serving.median - base.median:.0f} ms after a bare "
            "`import pulumi` would have finished (it imports pulumi, grpc and dill, then "
            "starts a gRPC server).")  # fmt: skip
        add("")


# -- 7. lookups in a 10,000-key tenant -------------------------------------------------------


def measure_lookups(ctx: Context) -> None:
    with emulator() as emu:
        ctx.data["lookups"] = lookup_10k(emu, ctx.args.small_runs)


def render_lookups(ctx: Context, add: Add) -> None:
    import lookup10k

    _, rows = ctx.data["lookups"]
    describe(add, lookup10k)
    add("| lookup | API requests | time, ms | found |")
    add("|---|---|---|---|")
    for row in rows:
        add(f"| {row.name} | {row.requests.fmt_int()} | {row.millis.fmt(1)} | {row.found} |")
    add("")


def measure_resources(ctx: Context) -> None:
    import resource_requests as module

    with emulator() as emu:
        ctx.data["resources"] = [(c, module.measure_case(emu, c)) for c in module.CASES]


def render_resources(ctx: Context, add: Add) -> None:
    import resource_requests as module

    describe(add, module, first=True)
    add(module.table(ctx.data["resources"]))
    add("")


def targets_resources(ctx: Context) -> list[Target]:
    import resource_requests as module

    return [
        Target(
            f"{case.label}: check and diff 0, create ≤ 2, read 1, update ≤ 2, delete 1, lookup 1",
            "; ".join(module.missed_targets(case, results)) or "all met",
            not module.missed_targets(case, results),
            True,
        )
        for case, results in ctx.data["resources"]
    ]


def measure_sign_ins(ctx: Context) -> None:
    from sign_ins import sign_ins_per_process

    with emulator() as emu:
        ctx.data["sign_ins"] = sign_ins_per_process(emu)


def render_sign_ins(ctx: Context, add: Add) -> None:
    import sign_ins as module

    describe(add, module, first=True)
    module.render(ctx.data["sign_ins"], add)


def targets_sign_ins(ctx: Context) -> list[Target]:
    return [
        Target(f"one sign-in per provider process with a {row.mode}",
               f"{row.sign_ins} over {row.calls} calls", row.sign_ins == 1, True)
        for row in ctx.data["sign_ins"]
    ]  # fmt: skip


BULK = "Bulk work through one provider host, against the rate-limit floor"
REAL = "At ZPA's real 10 s window: 30 keys through one provider host"
STACKS = "Stacks side by side: provider hosts sharing one budget"
SDK = "The same bulk work with the official `zscaler-sdk-python`"
LOOKUPS = "Lookups by name in a tenant holding 10,000 keys"

#: The sections of RESULTS.md, in order: one line each.
SECTIONS: list[Section] = [
    Section("ops", "Requests per operation", measure_ops, render_ops),
    Section("resources", "Requests per operation of every resource", measure_resources,
            render_resources, targets_resources),
    Section("signins", "Sign-ins per process: client secret and private key", measure_sign_ins,
            render_sign_ins, targets_sign_ins),
    Section("bulk", BULK, measure_bulk, render_bulk, targets_bulk),
    Section("real", REAL, measure_real, render_real, targets_real),
    Section("stacks", STACKS, measure_stacks, render_stacks, targets_stacks),
    Section("sdk", SDK, measure_sdk, render_sdk),
    Section("startup", "Cold start", measure_startup, render_startup),
    Section("lookups", LOOKUPS, measure_lookups, render_lookups),
]


if __name__ == "__main__":
    sys.exit(main())
