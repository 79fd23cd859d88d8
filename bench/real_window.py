"""The bulk benchmark at ZPA's real 10 s window: 30 keys through one provider host.

As the bulk section, with the emulator and the provider at ZPA's own window
(`zpa:rateLimitWindowSeconds` at its default) and sharing on. Skipped with `--real-runs 0`.
"""

from __future__ import annotations

import bulk
from benchlib import ZPA_WINDOW_S
from bulk import SHARED, PhaseResult, bulk_table, provider_bulk, totals
from section import Add, Context, Section, Target

from pulumi_zpa_pkeys.ratelimit import default_margin
from pulumi_zpa_pkeys.testing import emulator

REAL_GOAL = 1.03  # wall time / floor, create + refresh + delete
REAL_KEYS = 30


def measure(ctx: Context) -> list[PhaseResult]:
    if ctx.args.real_runs < 1:
        return []
    with emulator(rate_limit=True, legacy=True) as emu:
        return provider_bulk(emu, [REAL_KEYS], ctx.args.real_runs, ZPA_WINDOW_S)


def render(ctx: Context, results: list[PhaseResult], add: Add) -> None:
    if not results:
        add("Skipped (`--real-runs 0`).")
        add("")
        return
    margin = default_margin(ZPA_WINDOW_S)
    add(f"As {ctx.refer(bulk.SECTION)}, with the emulator and the provider at ZPA's own window, "
        f"**{ZPA_WINDOW_S:g} s** (`zpa:rateLimitWindowSeconds` at its default), {REAL_KEYS} keys, "
        f"sharing on (the default), {ctx.args.real_runs} run(s). Here the fixed costs (the last "
        f"batch, gRPC, the emulator) weigh little; what remains is the pacing margin, "
        f"{margin:g} s at each of the 5 window boundaries of the run (2 in create, 1 in refresh, "
        f"2 in delete), {5 * margin:g} s over a {5 * ZPA_WINDOW_S:g} s floor: "
        f"{5 * margin / (5 * ZPA_WINDOW_S) * 100:.1f} %.")  # fmt: skip
    add("")
    bulk_table(add, results, [SHARED])


def targets(ctx: Context, results: list[PhaseResult]) -> list[Target]:
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


SECTION = Section(
    "real",
    f"At ZPA's real {ZPA_WINDOW_S:g} s window: {REAL_KEYS} keys through one provider host",
    measure,
    render,
    targets,
)
