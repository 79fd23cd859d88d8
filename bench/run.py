"""Run every benchmark and write bench/RESULTS.md (`make bench`).

    .venv/bin/python bench/run.py [--window 0.7] [--runs 3] [--sizes 30,100] [--output FILE]

Sections (issue 7): requests per operation; bulk work through the real provider host against
the rate-limit floor; the same work with the official `zscaler-sdk-python`; cold start; name
lookups in a 10,000-key tenant. Every figure is the median of `--runs` runs (cold start and
per-operation figures: `--small-runs`) with min and max. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchlib import GET_BUDGET, WRITE_BUDGET, Series, git_revision, log, machine
from bulk import PHASES, PhaseResult, provider_bulk
from lookup10k import LookupRow, lookup_10k
from ops import OpsResult, requests_per_operation
from sdk_compare import sdk_available, sdk_bulk
from startup import HOST_SERVES, StartupResult, cold_start

from pulumi_zpa_pkeys.ratelimit import default_margin
from pulumi_zpa_pkeys.testing import emulator

ROOT = Path(__file__).resolve().parent.parent
RATIO_TARGET = 1.10
ZPA_WINDOW_S = 10.0

Add = Callable[[str], None]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=0.7,
                        help="rate-limit window in seconds, for the emulator and the client "
                             "(ZPA: 10; default 0.7)")  # fmt: skip
    parser.add_argument("--runs", type=int, default=3, help="runs of each bulk case (>= 3)")
    parser.add_argument("--small-runs", type=int, default=5,
                        help="runs of cold start, per-operation counts and lookups")  # fmt: skip
    parser.add_argument("--sizes", default="30,100", help="bulk sizes (keys)")
    parser.add_argument(
        "--shim-sizes",
        default="30",
        help="bulk sizes for the SDK with the retry-after shim ('' = skip)",
    )
    parser.add_argument("--no-sdk", action="store_true", help="skip zscaler-sdk-python")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS.md")
    return parser.parse_args(argv)


def sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    log(f"window {args.window:g} s, {args.runs} bulk runs, sizes {args.sizes}")

    with emulator() as emu:
        ops = requests_per_operation(emu, args.small_runs)
        boot = cold_start(emu.config, args.small_runs)
        emu.reset()
        keys_total, lookup_rows = lookup_10k(emu, args.small_runs)

    bulk: list[PhaseResult] = []
    sdk_note = ""
    with emulator(rate_limit=True, legacy=True) as emu:
        bulk += provider_bulk(emu, sizes(args.sizes), args.runs, args.window)
        if not args.no_sdk and not sdk_available():
            sdk_note = "zscaler-sdk-python is not installed; `make bench` installs it."
        elif not args.no_sdk:
            bulk += sdk_bulk(emu, sizes(args.sizes), args.runs, args.window)
            if sizes(args.shim_sizes):
                bulk += sdk_bulk(emu, sizes(args.shim_sizes), args.runs, args.window, shim=True)

    elapsed = time.perf_counter() - started
    text = render(args, info, when, elapsed, ops, boot, keys_total, lookup_rows, bulk, sdk_note)
    args.output.write_text(text, encoding="utf-8")
    log(f"wrote {args.output} ({elapsed:.0f} s in all)")
    return 0 if provider_on_target(bulk) else 1


# -- aggregation -----------------------------------------------------------------------------


def groups(results: Sequence[PhaseResult]) -> dict[tuple[str, int, str], list[PhaseResult]]:
    """Results by (client, keys, phase), in first-seen order, plus an 'all' phase per run."""
    out: dict[tuple[str, int, str], list[PhaseResult]] = {}
    for result in results:
        out.setdefault((result.client, result.count, result.phase), []).append(result)
    return out


def provider_on_target(results: Sequence[PhaseResult]) -> bool:
    for (client, _, _), rows in groups(results).items():
        if client != "provider":
            continue
        if any(r.traffic.too_many or r.failures for r in rows):
            return False
        if rows[0].floor_s > 0 and Series([r.ratio for r in rows]).median > RATIO_TARGET:
            return False
    return True


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


# -- RESULTS.md ------------------------------------------------------------------------------


def render(
    args: argparse.Namespace,
    info: dict[str, str],
    when: str,
    elapsed: float,
    ops: OpsResult,
    boot: StartupResult,
    keys_total: int,
    lookup_rows: list[LookupRow],
    bulk: list[PhaseResult],
    sdk_note: str,
) -> str:
    window = args.window
    margin_ms = default_margin(window) * 1000
    lines: list[str] = []
    add = lines.append
    add("# Benchmarks: pulumi_zpa_pkeys")
    add("")
    add("Written by `make bench` (`.venv/bin/python bench/run.py`); do not edit by hand.")
    add("Every figure is the **median (min-max)** of the runs stated; a single value means every "
        "run gave it.")  # fmt: skip
    add("")
    add("| | |")
    add("|---|---|")
    add("| command | `make bench` |")
    add(f"| date | {when} |")
    add(f"| revision | `{git_revision(str(ROOT))}` |")
    for key, value in info.items():
        add(f"| {key} | {value} |")
    add(f"| rate-limit window | {window:g} s (ZPA: {ZPA_WINDOW_S:g} s; budgets unchanged: "
        f"{GET_BUDGET} GET / {WRITE_BUDGET} writes per window) |")  # fmt: skip
    add(f"| runs | bulk {args.runs} per case; cold start, requests per operation and lookups "
        f"{args.small_runs} |")  # fmt: skip
    add(f"| duration | {elapsed:.0f} s |")
    add("")
    render_summary(add, bulk)
    render_ops(add, ops)
    render_bulk(add, bulk, window, margin_ms, args.runs)
    render_sdk(add, bulk, window, sdk_note)
    render_startup(add, boot)
    render_lookups(add, keys_total, lookup_rows)
    return "\n".join(lines) + "\n"


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


def render_summary(add: Add, bulk: list[PhaseResult]) -> None:
    add("## Targets")
    add("")
    add("| target | result |")
    add("|---|---|")
    provider = [r for r in bulk if r.client == "provider"]
    worst = max((Series([r.ratio for r in rows]).median
                 for rows in groups(provider).values() if rows[0].floor_s > 0),
                default=math.nan)  # fmt: skip
    too_many = sum(r.traffic.too_many for r in provider)
    failures = sum(r.failures for r in provider)
    mark = "met" if worst <= RATIO_TARGET else "**missed**"
    add(f"| bulk wall time / floor ≤ {RATIO_TARGET:.2f} (every case's median) | worst median "
        f"{worst:.3f}: {mark} |")  # fmt: skip
    add(f"| zero 429s (all bulk runs) | {too_many}: {'met' if too_many == 0 else '**missed**'} |")
    add(f"| zero failures (all bulk runs) | {failures}: "
        f"{'met' if failures == 0 else '**missed**'} |")  # fmt: skip
    add("")


def render_ops(add: Add, ops: OpsResult) -> None:
    add("## 1. Requests per operation")
    add("")
    add("Resource operations through the real provider host (`python -m pulumi.dynamic`, driven "
        "over gRPC by `pulumi_zpa_pkeys.testing.ProviderHost` as the engine calls it); lookups "
        "in-process as a program calls them. Counts are API requests in the emulator's log "
        "(`GET /_emulator/requests`), sign-ins counted apart. Rate limits off; times are "
        "warm (after the first call of the process).")  # fmt: skip
    add("")
    add("| operation | API requests | sent (method status) | time, ms |")
    add("|---|---|---|---|")
    for stats in ops.ops.values():
        note = f" ({stats.note})" if stats.note else ""
        sent = "; ".join(sorted(stats.sent))
        add(f"| {stats.name}{note} | {stats.requests.fmt_int()} | {sent} | "
            f"{stats.millis.fmt(1)} |")  # fmt: skip
    add("")
    add(f"Sign-ins per provider process: **{ops.host_sign_ins.fmt_int()}** over "
        f"{ops.host_calls.fmt_int()} calls to each host. Sign-ins of the program process "
        f"doing every lookup of every run: **{ops.lookup_sign_ins}** over {ops.lookup_calls} "
        "lookups (one token per process, reused until it nears expiry).")  # fmt: skip
    add("")


def render_bulk(
    add: Add, bulk: list[PhaseResult], window: float, margin_ms: float, runs: int
) -> None:
    add("## 2. Bulk work through the provider host, against the rate-limit floor")
    add("")
    add(f"N keys created (`Check` + `Create`), refreshed (`Read`) and deleted (`Delete`) through "
        f"one warmed provider host by 4 threads (the host's own limit, as under the CLI). The "
        f"emulator enforces ZPA's budgets, {GET_BUDGET} GETs and {WRITE_BUDGET} writes per "
        f"window, with the window shortened from {ZPA_WINDOW_S:g} s to **{window:g} s**; the "
        f"stack config sets the provider's limiter to the same numbers "
        f"(`zpa:rateLimitGets={GET_BUDGET}`, `zpa:rateLimitWrites={WRITE_BUDGET}`, "
        f"`zpa:rateLimitWindowSeconds={window:g}`; the client's pacing margin is "
        f"{margin_ms:.0f} ms, {margin_ms / 10 / window:.0f} % of the window, as 300 ms is of "
        f"10 s). Each phase starts on fresh windows and is timed from the first call to the "
        f"last answer. {runs} runs per case. The 4 threads share one `ProviderHost` (one gRPC "
        f"channel), as the engine does; a failure is an exception from a call, or a key the "
        f"emulator's state shows missing after create or left after delete.")  # fmt: skip
    add("")
    add("**The floor.** ZPA counts GETs and writes in separate fixed windows, each opening at the "
        "first call and admitting B calls (B = 20 GETs or 10 writes); the next window opens "
        "at the first call after it ends. So the k-th batch of B calls cannot be sent before "
        "k·W after the first, and N calls of one kind cannot finish before the last batch "
        "starts: **floor = (⌈N/B⌉ - 1) · W**, for the budget that binds. Create sends N writes "
        "(POST) and N GETs (the read-back): writes bind, floor (⌈N/10⌉ - 1)·W. Refresh sends N "
        "GETs: floor (⌈N/20⌉ - 1)·W. Delete sends N writes: floor (⌈N/10⌉ - 1)·W. The floor "
        "leaves out the time the last batch itself takes (its calls cannot be answered in 0 s),"
        " so ratio - 1 is the pacing margin plus that last batch plus all overhead.")  # fmt: skip
    add("")
    add("| keys | phase | floor (binding budget) | wall time, s | ratio to floor | API requests "
        "| 429s | failures |")  # fmt: skip
    add("|---|---|---|---|---|---|---|---|")
    grouped = groups([r for r in bulk if r.client == "provider"])
    for count in sorted({key[1] for key in grouped}):
        for phase in PHASES:
            rows = grouped.get(("provider", count, phase), [])
            if rows:
                add(bulk_row(count, phase, rows))
        all_rows = [r for p in PHASES for r in grouped.get(("provider", count, p), [])]
        seconds, ratio = totals(all_rows)
        floor = sum(r.floor_s for r in all_rows) / max(1, len(all_rows) // len(PHASES))
        add(f"| {count} | **all three** | {floor:.2f} s | {seconds.fmt(2)} | {ratio.fmt(3)} | "
            f"| | |")  # fmt: skip
    add("")


def ratio_text(rows: list[PhaseResult]) -> str:
    if rows[0].floor_s <= 0:
        return "n/a (one window)"
    return Series([r.ratio for r in rows]).fmt(3)


def bulk_row(count: int, phase: str, rows: list[PhaseResult]) -> str:
    first = rows[0]
    seconds = Series([r.seconds for r in rows])
    api = Series([float(r.traffic.api) for r in rows])
    methods = first.traffic.describe()
    too_many = Series([float(r.traffic.too_many) for r in rows])
    failures = Series([float(r.failures) for r in rows])
    return (f"| {count} | {phase} | {first.floor_s:.2f} s ({first.binding}) | {seconds.fmt(2)} | "
            f"{ratio_text(rows)} | {api.fmt_int()} ({methods}) | {too_many.fmt_int()} | "
            f"{failures.fmt_int()} |")  # fmt: skip


def render_sdk(add: Add, bulk: list[PhaseResult], window: float, note: str) -> None:
    add("## 3. The same bulk work with the official `zscaler-sdk-python`")
    add("")
    if note:
        add(note)
        add("")
        return
    sdk = [r for r in bulk if r.client != "provider"]
    if not sdk:
        add("Skipped (`--no-sdk`).")
        add("")
        return
    import sdk_compare

    for paragraph in docstring_paragraphs(sdk_compare):
        add(paragraph)
        add("")
    add("Same emulator, same limits and window, 4 threads. The SDK's create is one POST (it "
        "returns ZPA's create answer, without the group and certificate names the provider "
        "reads back), so its create sends half the provider's requests; it runs in-process, "
        "without the provider host's gRPC hop.")  # fmt: skip
    add("")
    add("| client | keys | phase | floor | wall time, s | ratio to floor | API requests | 429s "
        "| failures |")  # fmt: skip
    add("|---|---|---|---|---|---|---|---|---|")
    errors: dict[str, str] = {}
    grouped = groups(bulk)
    for (client, count, phase), rows in grouped.items():
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
    for count in sorted({r.count for r in bulk}):
        parts = []
        for client in dict.fromkeys(r.client for r in bulk):
            rows = [r for r in bulk if r.client == client and r.count == count]
            if not rows:
                continue
            seconds, _ = totals(rows)
            runs = max(1, len(rows) // len(PHASES))
            too_many = sum(r.traffic.too_many for r in rows) / runs
            failures = sum(r.failures for r in rows) / runs
            api = sum(r.traffic.api for r in rows) / runs
            parts.append(f"{client} {seconds.median:.2f} s, {api:g} requests, {too_many:g} 429s, "
                         f"{failures:g} failures")  # fmt: skip
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


def signed(series: Series) -> str:
    lo, hi = min(series.values), max(series.values)
    return f"{series.median:+.0f} ({lo:+.0f} to {hi:+.0f})"


def render_startup(add: Add, boot: StartupResult) -> None:
    import startup

    add("## 4. Cold start")
    add("")
    for paragraph in docstring_paragraphs(startup):
        add(paragraph)
        add("")
    add("| process | time, ms | over `import pulumi`, ms |")
    add("|---|---|---|")
    base = boot.rows.get("import pulumi")
    for name, series in boot.rows.items():
        delta = ""
        if base is not None and name != "import pulumi":
            delta = signed(Series([a - b for a, b in zip(series.values, base.values, strict=True)]))
        add(f"| `{name}` | {series.fmt(0)} | {delta} |")
    add("")
    serving = boot.rows.get(HOST_SERVES)
    if serving is not None and base is not None:
        add(f"The provider host serves {serving.median - base.median:.0f} ms after a bare "
            "`import pulumi` would have finished (it imports pulumi, grpc and dill, then "
            "starts a gRPC server).")  # fmt: skip
        add("")


def render_lookups(add: Add, keys_total: int, rows: list[LookupRow]) -> None:
    import lookup10k

    add(f"## 5. Lookups by name in a tenant holding {keys_total:,} keys")
    add("")
    for paragraph in docstring_paragraphs(lookup10k):
        add(paragraph)
        add("")
    add("| lookup | API requests | time, ms | found |")
    add("|---|---|---|---|")
    for row in rows:
        add(f"| {row.name} | {row.requests.fmt_int()} | {row.millis.fmt(1)} | {row.found} |")
    add("")


if __name__ == "__main__":
    sys.exit(main())
