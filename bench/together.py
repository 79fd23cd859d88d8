"""Provider hosts released together, each creating its keys at once: the run, its result and
its table, shared by the `stacks` (one machine) and `redis` (machines on one Redis) sections.

A run waits for fresh windows, releases every host at one barrier (each creating ``keys_each``
keys with 4 threads, the engine's limit per host) and is timed from the release to the last
answer of any host; then the emulator is reset (the keys go, the hosts keep their tokens).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from benchlib import WRITE_BUDGET, Series, Traffic, floor_s, key_inputs, log, traffic
from bulk import keys_named, run_pool, settle
from section import Add

from pulumi_zpa_pkeys.testing import ProviderHost, RunningEmulator


@dataclass(frozen=True)
class TogetherRun:
    """One run: ``hosts`` provider hosts creating ``keys_each`` keys each at once."""

    label: str  # what this run's hosts share (or not), e.g. "one Redis"
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


def release_together(
    emu: RunningEmulator,
    hosts: Sequence[ProviderHost],
    keys_each: int,
    window_s: float,
    label: str,
    prefix: str,
    *,
    meanwhile: tuple[float, Callable[[], None]] | None = None,
) -> TogetherRun:
    """Release every host at once, each creating ``keys_each`` keys named ``prefix...``; with
    ``meanwhile = (s, act)``, ``act()`` runs ``s`` seconds after the release (a kill, say)."""
    barrier = threading.Barrier(len(hosts) + 1)
    spans: list[tuple[float, float]] = [(0.0, 0.0)] * len(hosts)
    errors: list[str] = []

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
    timer = None if meanwhile is None else threading.Timer(*meanwhile)
    barrier.wait()
    if timer is not None:
        timer.start()
    for thread in threads:
        thread.join()
    if timer is not None:
        timer.join()
    seconds = max(end for _, end in spans) - min(start for start, _ in spans)
    missing = len(hosts) * keys_each - len(keys_named(emu, prefix))
    result = TogetherRun(
        label=label,
        window_s=window_s,
        hosts=len(hosts),
        keys_each=keys_each,
        seconds=seconds,
        per_host_s=tuple(end - start for start, end in spans),
        traffic=traffic(emu.requests_log()),
        failures=len(errors) + max(0, missing - len(errors)),
        first_error=errors[0] if errors else None,
    )
    log(
        f"{len(hosts)} hosts x {keys_each} keys, window {window_s:g} s, {label}: "
        f"{seconds:.2f} s, floor {result.floor_s:.2f} s, ratio {result.ratio:.3f}, 429s "
        f"{result.traffic.too_many}, retries {result.retries}, failures {result.failures}"
    )
    emu.reset()  # the keys go; the hosts keep their tokens
    return result


def by_window_and_label(
    runs: Sequence[TogetherRun],
) -> dict[tuple[float, str], list[TogetherRun]]:
    out: dict[tuple[float, str], list[TogetherRun]] = {}
    for r in runs:
        out.setdefault((r.window_s, r.label), []).append(r)
    return out


def render_runs(add: Add, runs: Sequence[TogetherRun], *, host: str, label_header: str) -> None:
    """The section's prose and table: one row per window and label, medians over its runs;
    ``host`` names one host in the prose ("host", "machine")."""
    first = runs[0]
    add(f"{first.hosts} {host}s x {first.keys_each} keys = **{first.writes} writes** (POST; "
        f"each create also reads the key back with a GET: {first.writes} GETs, never the "
        f"binding budget). Floor for the writes: (⌈{first.writes}/{WRITE_BUDGET}⌉ - 1) · W = "
        f"{first.floor_s / first.window_s:g} W. Retries are requests beyond the "
        f"{2 * first.writes} the creates need. Per {host}: each host's own time from release "
        f"to its last answer.")  # fmt: skip
    add("")
    add(f"| window | {label_header} | runs | floor | wall time, s | ratio to floor | API requests "
        f"| 429s | retries | failures | per {host}, s (median run) |")  # fmt: skip
    add("|---|---|---|---|---|---|---|---|---|---|---|")
    errors: dict[str, str] = {}
    for (window, label), rows in by_window_and_label(runs).items():
        seconds = Series([r.seconds for r in rows])
        ratio = Series([r.ratio for r in rows])
        api = Series([float(r.traffic.api) for r in rows])
        too_many = Series([float(r.traffic.too_many) for r in rows])
        retries = Series([float(r.retries) for r in rows])
        failures = Series([float(r.failures) for r in rows])
        middle = sorted(rows, key=lambda r: r.seconds)[len(rows) // 2]
        per_host = ", ".join(f"{s:.2f}" for s in middle.per_host_s)
        for row in rows:
            if row.first_error and label not in errors:
                errors[label] = row.first_error
        add(f"| {window:g} s | {label} | {len(rows)} | {rows[0].floor_s:.2f} s | "
            f"{seconds.fmt(2)} | {ratio.fmt(3)} | {api.fmt_int()} | {too_many.fmt_int()} | "
            f"{retries.fmt_int()} | {failures.fmt_int()} | {per_host} |")  # fmt: skip
    add("")
    for label, error in errors.items():
        add(f"First failure, {label_header} {label}: `{error}`")
        add("")
