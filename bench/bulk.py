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

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from benchlib import (
    ASSOCIATION,
    GET_BUDGET,
    WRITE_BUDGET,
    Traffic,
    host_env,
    key_inputs,
    log,
    phase_floor,
    traffic,
)

from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.ratelimit import default_margin
from pulumi_zpa_pkeys.testing import ProviderHost, ResourceState, RunningEmulator

ENGINE_CONCURRENCY = 4  # the dynamic provider host's fixed thread pool
PHASES = ("create", "refresh", "delete")
SHARED = "provider"
ALONE = "provider, sharing off"

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


def provider_config(
    emu: RunningEmulator, window_s: float, shared: bool = True
) -> dict[str, str]:
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
