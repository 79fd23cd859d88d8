"""Run the benchmarks and write bench/RESULTS.md (`make bench`).

    .venv/bin/python bench/run.py [--window 0.7] [--runs 3] [--real-runs 1] [--only KEYS]

Each benchmark is one module of bench/ holding a `SECTION` (see section.py: its measurement, its
Markdown, its targets, its own options); BENCHMARKS lists those modules in the order of
RESULTS.md. To add a benchmark, write its module and add its name to the list. Every figure is
the median of the runs stated with min and max. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchlib import (
    FLOOR_FORMULA,
    GET_BUDGET,
    WRITE_BUDGET,
    ZPA_WINDOW_S,
    git_revision,
    log,
    machine,
    sizes,
)
from section import Add, Context, Section, Target

ROOT = Path(__file__).resolve().parent.parent

#: The benchmark modules, one line each, in the order of RESULTS.md.
BENCHMARKS = (
    "ops",
    "resource_requests",
    "sign_ins",
    "bulk",
    "real_window",
    "stacks",
    "redis_budget",
    "sdk_compare",
    "startup",
    "lookup10k",
)


def sections() -> list[Section[Any]]:
    """The ``SECTION`` of each module in BENCHMARKS, in order."""
    return [importlib.import_module(name).SECTION for name in BENCHMARKS]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    keys = [s.key for s in sections()]
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--window", type=float, default=0.7,
                        help="short rate-limit window in seconds, for the emulator and the "
                             "client (ZPA: 10; default 0.7)")  # fmt: skip
    parser.add_argument("--runs", type=int, default=3, help="runs of each short-window case")
    parser.add_argument("--real-runs", type=int, default=1,
                        help="runs of each case at ZPA's 10 s window (0: skip them)")  # fmt: skip
    parser.add_argument("--small-runs", type=int, default=5,
                        help="runs of counts, cold start, lookups, acquire cost")  # fmt: skip
    parser.add_argument("--sizes", type=sizes, default="30,100",
                        help="bulk sizes (keys), of the provider and of the SDK")  # fmt: skip
    parser.add_argument(
        "--only", default="", help="comma-separated section keys to run: " + ", ".join(keys)
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    for section in sections():
        section.options(parser)
    args = parser.parse_args(argv)
    unknown = [key for key in args.only.split(",") if key and key not in keys]
    if unknown:
        parser.error(f"--only: no section {', '.join(unknown)}; the sections: {', '.join(keys)}")
    return args


def command_line(argv: Sequence[str] | None) -> str:
    given = list(sys.argv[1:] if argv is None else argv)
    return "`make bench`" if not given else f"`.venv/bin/python bench/run.py {' '.join(given)}`"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    only = [key for key in args.only.split(",") if key]
    chosen = [s for s in sections() if not only or s.key in only]
    started = time.perf_counter()
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    ctx = Context(args, chosen)
    for section in chosen:
        log(f"== {section.key}: {section.title}")
        ctx.results[section.key] = section.measure(ctx)
    info["load average at end"] = machine()["load average at start"]
    elapsed = time.perf_counter() - started
    targets = [t for s in chosen for t in s.targets(ctx, ctx.results[s.key])]
    lines: list[str] = []
    header(lines.append, args, info, when, elapsed, command_line(argv))
    body(lines.append, ctx, targets)
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


def body(add: Add, ctx: Context, targets: list[Target]) -> None:
    """The summary of targets, then each section of this run, numbered."""
    if targets:
        add("## Targets")
        add("")
        add("| target | result | |")
        add("|---|---|---|")
        for t in targets:
            verdict = "met" if t.met else "**missed**"
            add(f"| {t.aim}{' (required)' if t.required else ''} | {t.result} | {verdict} |")
        add("")
    for number, section in enumerate(ctx.sections, 1):
        add(f"## {number}. {section.title}")
        add("")
        section.render(ctx, ctx.results[section.key], add)


if __name__ == "__main__":
    sys.exit(main())
